"""English as the federations on this site write it (issue 12: "a UK federation reads
04/12/2026 or 4 Dec 2026, never US order"): day before month, a 24-hour clock (so no
"p.m." whose full stop doubles the sentence's), Monday first. A federation in the United
States reads its own custom, month first, on its pages (`folkmoot.regions`); its clock
says "3:33 PM", without full stops."""

from folkmoot.regions import by_country

DATE_FORMAT = by_country("j M Y", US="M j, Y")  # 4 Dec 2026; Dec 4, 2026
TIME_FORMAT = by_country("H:i", US="g:i A")
DATETIME_FORMAT = by_country("j M Y, H:i", US="M j, Y, g:i A")
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = by_country("j F", US="F j")
SHORT_DATE_FORMAT = by_country("d/m/Y", US="m/d/Y")  # 04/12/2026; 12/04/2026
SHORT_DATETIME_FORMAT = by_country("d/m/Y H:i", US="m/d/Y g:i A")
FIRST_DAY_OF_WEEK = 1  # Monday
# What people type: ISO first (the browsers' date inputs send it), then day before month.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
