// The pages of sealed votes (issue 16): registering a voting key and casting a sealed
// ballot, with sealed-core.js loaded before this file (both `defer`, which keeps the order).
// The voting key (the Belenios credential) is made and kept in this browser only; the server
// receives its public credential, then ballots sealed here. Every sentence shown comes from a
// data-* attribute of the (translated) template; the English below is a last resort.
(function () {
  "use strict";
  const core = globalThis.FolkmootSealed;
  const ready = !!(core && core.supported());

  function storeGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage refused (private mode, policy)
    }
  }
  function storeSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
      return true;
    } catch (e) {
      return false;
    }
  }

  function submitButtons(form) {
    // form.elements also holds buttons outside the form that name it with form="…".
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.type === "submit";
    });
  }
  function setBusy(form, busy) {
    submitButtons(form).forEach(function (button) {
      button.disabled = busy;
    });
    if (busy) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
  }

  // The text of `attribute` on `el`, or the fallback when the template did not provide one.
  function text(el, attribute, fallback) {
    return (el && el.getAttribute(attribute)) || fallback;
  }
  function setStatus(form, attribute, fallback) {
    const status = form.querySelector("[data-sealed-status]");
    if (!status) return;
    status.textContent = attribute ? text(status, attribute, fallback) : "";
  }
  function showError(form, attribute, fallback, detail) {
    const box = form.querySelector("[data-sealed-error]");
    if (detail) console.error(detail); // for whoever debugs; the voter reads the sentence
    setStatus(form, null);
    if (!box) return;
    box.textContent = text(box, attribute, fallback);
    box.hidden = false;
  }
  function clearError(form) {
    const box = form.querySelector("[data-sealed-error]");
    if (box) {
      box.textContent = "";
      box.hidden = true;
    }
  }

  // A Failure carries which of the template's sentences to show.
  function Failure(attribute, fallback, detail) {
    this.attribute = attribute;
    this.fallback = fallback;
    this.detail = detail;
  }
  function fail(form, error) {
    if (error instanceof Failure) {
      showError(form, error.attribute, error.fallback, error.detail);
    } else {
      showError(form, "data-failed", "Sealing the ballot failed.", error);
    }
    setBusy(form, false);
  }

  // HTMLFormElement's own submit: an input named "submit" would shadow form.submit.
  function send(form) {
    HTMLFormElement.prototype.submit.call(form);
  }

  function unsupported(form) {
    const note = form.querySelector("[data-sealed-unsupported]");
    if (note) note.hidden = false;
    setBusy(form, true);
  }

  // --- The kept key ----------------------------------------------------------------------
  // A key is kept as "pending" until the server has it: a refused registration (another
  // tab registered first) must not replace the key the server holds. The page names the
  // registered public key; the kept key is the one whose public half it is.
  function storeRemove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* storage refused: nothing to remove */
    }
  }
  async function keptKey(key, uuid, registered) {
    if (!key || !uuid || !registered || !ready) return null;
    for (const name of [key, key + ".pending"]) {
      const candidate = storeGet(name);
      if (!candidate || !core.credentialChecksumOk(candidate)) continue;
      if ((await core.derivePublicCredential(candidate, uuid)) === registered) {
        if (name !== key) {
          storeSet(key, candidate);
          storeRemove(name);
        }
        return candidate;
      }
    }
    return null;
  }
  document.querySelectorAll("[data-sealed-show-key]").forEach(function (el) {
    const key = el.getAttribute("data-sealed-show-key");
    keptKey(key, el.dataset.uuid, el.dataset.registered).then(function (kept) {
      if (kept) {
        el.textContent = kept;
        el.hidden = false;
        return;
      }
      const other = document.querySelector("[data-sealed-key-missing]");
      if (other) other.hidden = false;
    });
  });

  // One submission at a time: the button is disabled while `work` runs; a failure shows its
  // message and gives the form back. `work` sends the form itself when it succeeds.
  function onSubmit(form, work) {
    let busy = false;
    const release = function () {
      busy = false;
      setBusy(form, false);
    };
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      clearError(form);
      setBusy(form, true);
      try {
        await work(release);
      } catch (error) {
        busy = false;
        fail(form, error);
      }
    });
  }

  // --- Registering a voting key ----------------------------------------------------------
  document.querySelectorAll("form[data-sealed-register]").forEach(function (form) {
    if (!ready) return unsupported(form);
    setBusy(form, false); // the page disables the button until this script can seal
    onSubmit(form, async function () {
      setStatus(form, "data-working", "");
      const credential = core.newCredential();
      // A key this browser cannot keep would be lost at the next page: register none.
      if (!form.dataset.storeKey || !storeSet(form.dataset.storeKey + ".pending", credential)) {
        throw new Failure("data-no-storage", "This browser does not let the page keep your key.");
      }
      const field = form.querySelector('input[name="public_credential"]');
      if (!field) throw new Error("the form has no public_credential field");
      field.value = await core.derivePublicCredential(credential, form.dataset.uuid);
      send(form); // the button stays disabled: the page is going away
    });
  });

  // --- Casting a sealed ballot -----------------------------------------------------------

  function gradeOf(el, width) {
    const position = Number(el.getAttribute("data-grade"));
    if (!Number.isInteger(position) || position < 0 || position >= width) {
      throw new Error("data-grade " + el.getAttribute("data-grade") + " is outside 0.." + width);
    }
    const type = (el.type || "").toLowerCase();
    let raw;
    if (type === "radio" || type === "checkbox") {
      if (!el.checked) return null; // unchecked: the position keeps 0
      raw = el.value;
    } else {
      raw = (el.value || "").trim() || "0";
    }
    if (!/^[0-9]+$/.test(raw) || Number(raw) > core.MAX_GRADE) {
      throw new Failure("data-bad-grade", "A grade is out of range.", "grade " + raw);
    }
    return { position: position, grade: Number(raw) };
  }

  function readVector(form) {
    const width = Number(form.dataset.width);
    if (!Number.isInteger(width) || width < 1) throw new Error("data-width must be a count");
    const vector = new Array(width).fill(0);
    const filled = new Array(width).fill(false);
    form.querySelectorAll("[data-grade]").forEach(function (el) {
      if (el.disabled) return;
      const read = gradeOf(el, width);
      if (!read) return;
      // Two checked inputs for one candidate is a template error: refuse rather than guess.
      if (filled[read.position]) throw new Error("two grades at position " + read.position);
      filled[read.position] = true;
      vector[read.position] = read.grade;
    });
    return vector;
  }

  async function fetchElection(url) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch (error) {
      throw new Failure("data-fetch-failed", "The election could not be loaded.", error);
    }
    if (!response.ok) {
      throw new Failure(
        "data-fetch-failed",
        "The election could not be loaded.",
        "HTTP " + response.status
      );
    }
    return response.text(); // the exact text: its hash is the election's fingerprint
  }

  document.querySelectorAll("form[data-sealed-cast]").forEach(function (form) {
    const key = form.dataset.storeKey;
    const credentialInput = form.querySelector("[data-sealed-credential]");
    if (credentialInput) {
      if (credentialInput.hasAttribute("name")) {
        // The voting key must never reach the server: a named field would send it.
        console.error("the voting key field has a name; it was removed");
        credentialInput.removeAttribute("name");
      }
      keptKey(key, form.dataset.uuid, form.dataset.registered).then(function (kept) {
        if (kept && !credentialInput.value) credentialInput.value = kept;
      });
    }
    if (!ready) return unsupported(form);
    setBusy(form, false); // without this script, the form must never send clear grades

    // The clear grades and the key must not travel with the sealed ballot: disabled
    // controls are left out of a submission (radios need a name to form a group).
    // Every named control but the sealed ballot and the form's token goes: the grades, a
    // blank-vote choice, anything a template adds later.
    function unsealedFields() {
      const named = Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "ballot" && el.name !== "csrfmiddlewaretoken";
      });
      return named
        .concat(Array.prototype.slice.call(form.querySelectorAll("[data-grade]")))
        .concat(credentialInput ? [credentialInput] : []);
    }
    onSubmit(form, async function (release) {
      const credential = credentialInput ? credentialInput.value.trim() : "";
      if (!core.credentialChecksumOk(credential)) {
        throw new Failure("data-mistyped", "The voting key is mistyped.", null);
      }
      const vector = readVector(form); // as shown when the voter pressed the button
      setStatus(form, "data-working", "Sealing…");
      const electionText = await fetchElection(form.dataset.electionUrl);
      const ballot = await core.makeBallot(electionText, credential, [vector]);
      const field = form.querySelector('input[name="ballot"]');
      if (!field) throw new Error("the form has no ballot field");
      field.value = ballot;
      if (key) storeSet(key + ".tracker", await core.tracker(ballot));
      const toDisable = unsealedFields().filter(function (el) {
        return !el.disabled;
      });
      toDisable.forEach(function (el) {
        el.disabled = true;
      });
      send(form);
      // Coming back through the history: the fields are usable again.
      window.addEventListener(
        "pageshow",
        function () {
          toDisable.forEach(function (el) {
            el.disabled = false;
          });
          release();
          setStatus(form, null);
        },
        { once: true }
      );
    });
  });
})();
