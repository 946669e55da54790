// Country type-ahead for the header search and for every <select data-country-picker>: matches names, ISO-3 codes
// and common aliases ("Burma", "DRC", "Ivory Coast") as the user types. Arrow keys move, Enter chooses, Escape
// closes (ARIA combobox pattern). Without JavaScript the header search submits to /search/ and the selects stay
// plain selects. No inline code: a strict Content-Security-Policy holds.
(function () {
  "use strict";

  var indexes = {};

  function normalise(text) {
    return (text || "")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/['\u2019]/g, "")
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  }

  // Same ranking as indicators/country_search.py: code, exact, prefix, a word's prefix, anywhere.
  function rank(query, term) {
    if (term === query) return 0;
    if (term.indexOf(query) === 0) return 1;
    if (term.split(" ").some(function (word) { return word.indexOf(query) === 0; })) return 2;
    if (term.indexOf(query) !== -1) return 3;
    return -1;
  }

  function matches(query, countries, limit) {
    var wanted = normalise(query);
    if (!wanted) return [];
    var found = [];
    countries.forEach(function (country) {
      if (wanted === country.iso3.toLowerCase()) {
        found.push({ country: country, matched: "", rank: -1 });
        return;
      }
      var best = null;
      var terms = [[country.name, ""]].concat((country.aliases || []).map(function (a) { return [a, a]; }));
      terms.forEach(function (pair) {
        var r = rank(wanted, normalise(pair[0]));
        if (r !== -1 && (best === null || r < best.rank)) best = { country: country, matched: pair[1], rank: r };
      });
      if (best) found.push(best);
    });
    found.sort(function (a, b) {
      return a.rank - b.rank || a.country.name.localeCompare(b.country.name);
    });
    return found.slice(0, limit || 10);
  }

  function loadIndex(url) {
    if (!indexes[url]) {
      indexes[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { countries: [] }; })
        .then(function (body) { return body.countries || []; })
        .catch(function () { return []; });
    }
    return indexes[url];
  }

  var counter = 0;

  // Wires an input and an (empty) listbox: source(query) gives matches, choose(match) acts on one.
  function combobox(input, listbox, status, source, choose) {
    var items = [];
    var active = -1;
    counter += 1;
    var prefix = "cp" + counter + "-option-";

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.children;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(found) {
      items = found;
      listbox.textContent = "";
      found.forEach(function (match, index) {
        var option = document.createElement("li");
        option.id = prefix + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.iso3 = match.country.iso3;
        var name = document.createElement("span");
        name.textContent = match.country.name;
        var detail = document.createElement("span");
        detail.className = "muted small";
        detail.textContent = " " + match.country.iso3 + (match.matched ? " \u00b7 " + match.matched : "");
        option.appendChild(name);
        option.appendChild(detail);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { pick(index); });
        listbox.appendChild(option);
      });
      var open = found.length > 0;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (status) {
        status.textContent = input.value.trim() ? found.length + " matching countr" + (found.length === 1 ? "y" : "ies") : "";
      }
      highlight(open ? 0 : -1);
    }

    function pick(index) {
      var match = items[index];
      if (!match) return;
      close();
      choose(match);
    }

    input.addEventListener("input", function () {
      source(input.value).then(render);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { source(input.value).then(render); return; }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          pick(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });
    // Closing waits a moment after the input loses focus; coming back to it before then (and typing) keeps the
    // list that is open now instead of having it shut by the earlier leave.
    var closing = null;
    input.addEventListener("blur", function () { closing = window.setTimeout(close, 150); });
    input.addEventListener("focus", function () { window.clearTimeout(closing); });
    // The script is deferred: someone quick may have typed before it ran, and their input event went unheard.
    if (document.activeElement === input && input.value.trim()) source(input.value).then(render);
    return { close: close };
  }

  function setupHeaderSearch(form) {
    var input = form.querySelector("input[type=search]");
    var listbox = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    if (!input || !listbox) return;
    var url = form.dataset.index;
    combobox(input, listbox, status, function (query) {
      return loadIndex(url).then(function (countries) { return matches(query, countries, 8); });
    }, function (match) {
      input.value = match.country.name;
      window.location.href = match.country.url;
    });
    input.addEventListener("focus", function () { loadIndex(url); });
  }

  function setupSelect(select, url) {
    var wrapper = document.createElement("div");
    wrapper.className = "country-picker";
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-search";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.placeholder = select.dataset.placeholder || "Type a country";
    var listbox = document.createElement("ul");
    listbox.id = select.id + "-options";
    listbox.setAttribute("role", "listbox");
    listbox.className = "picker-list";
    listbox.hidden = true;
    input.setAttribute("aria-controls", listbox.id);
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.htmlFor = input.id;
      listbox.setAttribute("aria-label", label.textContent);
    }
    var chosen = select.options[select.selectedIndex];
    input.value = chosen && chosen.value ? chosen.text : "";
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(listbox);
    wrapper.appendChild(select);
    select.hidden = true;
    select.tabIndex = -1;
    // A hidden control cannot show the browser's "please choose" message; the visible input asks instead.
    if (select.required) {
      select.required = false;
      input.required = true;
    }

    function offered() {
      return loadIndex(url).then(function (index) {
        var aliases = {};
        index.forEach(function (country) { aliases[country.iso3] = country.aliases; });
        var countries = [];
        Array.prototype.forEach.call(select.options, function (option) {
          if (option.value) {
            countries.push({ iso3: option.value, name: option.text, aliases: aliases[option.value] || [] });
          }
        });
        return countries;
      });
    }

    combobox(input, listbox, null, function (query) {
      return offered().then(function (countries) { return matches(query, countries, 10); });
    }, function (match) {
      select.value = match.country.iso3;
      input.value = match.country.name;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.addEventListener("change", function () {
      if (!input.value.trim()) {
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    // On leaving, the text goes back to the chosen country's name, unless the person came back to type meanwhile.
    var restoring = null;
    input.addEventListener("blur", function () {
      restoring = window.setTimeout(function () {
        var current = select.options[select.selectedIndex];
        if (input.value.trim() && current) input.value = current.value ? current.text : "";
      }, 160);
    });
    input.addEventListener("focus", function () { window.clearTimeout(restoring); });
  }

  function start() {
    var header = document.getElementById("country-search");
    if (header) setupHeaderSearch(header);
    var url = header ? header.dataset.index : null;
    document.querySelectorAll("select[data-country-picker]").forEach(function (select) {
      setupSelect(select, select.dataset.index || url);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
