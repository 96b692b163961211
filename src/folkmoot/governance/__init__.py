"""The governance core: pure Python that decides (DESIGN.md). No Django import here.

Every rule of SPEC.md lives in exactly one function of this package; the HTML views and
the JSON API both ask it, and show the reason it gives.
"""
