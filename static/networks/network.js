/* The country network page: draws the graph with cytoscape.js, filters it by relationship type, actor type and
   date, and shows the selected actor's sources and history in the side panel. No inline code: the page passes the
   graph's address in data attributes, and every text is set with textContent. */
(function () {
  "use strict";

  var container = document.getElementById("network-graph");
  if (!container || typeof window.cytoscape !== "function") {
    return;
  }
  var statusLine = document.getElementById("graph-status");
  var filters = document.getElementById("network-filters");
  var slider = document.getElementById("date-slider");
  var dateOn = document.getElementById("date-filter-on");
  var dateValue = document.getElementById("date-value");
  var panelBody = document.getElementById("actor-panel-body");
  var panelEmpty = document.getElementById("actor-panel-empty");
  var KIND_COLOURS = {
    person: "#2f6fb3", armed_group: "#a4161a", security_unit: "#5b3a8c", ministry: "#1f3a5f",
    organization: "#6c757d", company: "#d97706", vessel: "#0f766e", airplane: "#4d7c0f"
  };
  var KIND_SHAPES = {
    person: "ellipse", armed_group: "triangle", security_unit: "hexagon", ministry: "rectangle",
    organization: "round-rectangle", company: "diamond", vessel: "vee", airplane: "star"
  };
  var REL_COLOURS = {
    command: "#1b1f24", membership: "#a4161a", directorship: "#5b3a8c", employment: "#9aa5b1",
    ownership: "#d97706", payment: "#1b6e3a", supply: "#0f766e", family: "#e76f51", associate: "#2f6fb3",
    unknown_link: "#c5ccd3"
  };
  // cose (force-directed) reads best but costs O(n^2) per iteration; larger drawings use a concentric layout by degree.
  var BIG = 150;
  // Above this many actors the page draws the most connected ones (the tables rank everyone): tens of thousands of
  // elements take cytoscape.js seconds to lay out and restyle, and nobody reads them in one picture anyway.
  var DRAW_CAP = 600;
  var cy = null;
  var dates = [];
  var fullGraph = null;
  var summary = "";

  function say(text) {
    statusLine.textContent = text;
  }

  function activeOn(data, day) {
    if (!day) { return true; }
    return (!data.valid_from || data.valid_from <= day) && (!data.valid_to || data.valid_to >= day);
  }

  function checked(name) {
    var values = {};
    filters.querySelectorAll("input[name='" + name + "']").forEach(function (box) {
      values[box.value] = box.checked;
    });
    return values;
  }

  function selectedDay() {
    if (!dateOn.checked || !dates.length) { return null; }
    return dates[Number(slider.value)] || null;
  }

  function applyFilters() {
    if (!cy) { return; }
    var kinds = checked("kind");
    var rels = checked("rel");
    var day = selectedDay();
    dateValue.textContent = day ? "as it stood on " + day : "all dates";
    // Work on whole collections (one class change each) rather than element by element: with 25,000 elements
    // per-element style calls take seconds.
    var hiddenNodes = cy.nodes().filter(function (node) {
      return kinds[node.data("kind")] === false || !activeOn(node.data(), day);
    });
    var hiddenEdges = cy.edges().filter(function (edge) {
      return rels[edge.data("kind")] === false || !activeOn(edge.data(), day);
    }).union(hiddenNodes.connectedEdges());
    cy.batch(function () {
      cy.elements(".hidden").removeClass("hidden");
      hiddenNodes.union(hiddenEdges).addClass("hidden");
    });
    var shownNodes = cy.nodes().length - hiddenNodes.length;
    var shownEdges = cy.edges().length - hiddenEdges.length;
    say(summary + "Showing " + shownNodes + " of " + cy.nodes().length + " actors and " + shownEdges + " of " +
      cy.edges().length + " ties" + (day ? " valid on " + day : "") + ".");
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function showActor(id) {
    if (cy) {
      var node = cy.getElementById(String(id));
      if (node && node.length) {
        cy.nodes().unselect();
        node.select();
        cy.animate({ center: { eles: node } }, { duration: 200 });
      }
    }
    panelEmpty.hidden = true;
    panelBody.hidden = false;
    panelBody.replaceChildren(element("p", "Loading…", "muted"));
    fetch(container.dataset.actorApi + id + "/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (actor) { renderPanel(actor); })
      .catch(function (error) { panelBody.replaceChildren(element("p", "Could not load the actor (" + error.message + ").", "error")); });
  }

  function renderPanel(actor) {
    var parts = [];
    var title = element("h3");
    var link = element("a", actor.name);
    link.href = container.dataset.actorPage + actor.id + "/";
    title.appendChild(link);
    parts.push(title);
    var facts = element("dl", null, "nw-dl");
    [["Type", actor.kind.replace("_", " ")], ["FtM schema", actor.ftm_schema],
      ["Countries", actor.countries.join(", ")], ["Confidence", actor.confidence],
      ["Valid", (actor.valid_from || "…") + " to " + (actor.valid_to || "…")]].forEach(function (pair) {
      facts.appendChild(element("dt", pair[0]));
      facts.appendChild(element("dd", pair[1]));
    });
    parts.push(facts);
    parts.push(element("h3", "Sources"));
    var sources = element("ul");
    actor.sources.forEach(function (source) { sources.appendChild(element("li", source)); });
    parts.push(sources);
    parts.push(element("h3", "History"));
    var history = element("ul");
    actor.history.forEach(function (version) {
      var who = version.author ? version.author : (version.dataset_import ? "import #" + version.dataset_import : "");
      history.appendChild(element("li", "v" + version.version + " · " + version.recorded_at.slice(0, 10) +
        (who ? " · " + who : "") + (version.note ? " · " + version.note : "")));
    });
    parts.push(history);
    panelBody.replaceChildren.apply(panelBody, parts);
  }

  function buildDates(elements) {
    var seen = {};
    elements.forEach(function (item) {
      if (item.valid_from) { seen[item.valid_from] = true; }
      if (item.valid_to) { seen[item.valid_to] = true; }
    });
    return Object.keys(seen).sort();
  }

  function graphStyle(big) {
    var style = [
      { selector: "node", style: {
        "background-color": "#6c757d", label: big ? "" : "data(label)", "font-size": 9, "text-wrap": "wrap",
        "text-max-width": 90, "text-valign": "bottom", "text-margin-y": 3, width: 22, height: 22, color: "#1b1f24",
        "text-background-color": "#ffffff", "text-background-opacity": 0.8, "text-background-padding": 1 } },
      { selector: "edge", style: {
        width: 1.5, "curve-style": big ? "haystack" : "bezier", opacity: 0.8, "line-color": "#9aa5b1",
        "target-arrow-shape": big ? "none" : "triangle", "target-arrow-color": "#9aa5b1" } }
    ];
    // Plain selectors per type: mapper functions would run for every element on every render.
    Object.keys(KIND_COLOURS).forEach(function (kind) {
      style.push({ selector: "node[kind = '" + kind + "']",
        style: { "background-color": KIND_COLOURS[kind], shape: KIND_SHAPES[kind] } });
    });
    Object.keys(REL_COLOURS).forEach(function (kind) {
      style.push({ selector: "edge[kind = '" + kind + "']",
        style: { "line-color": REL_COLOURS[kind], "target-arrow-color": REL_COLOURS[kind] } });
    });
    style.push(
      { selector: "node[sanctioned = 1]", style: { "border-width": 3, "border-color": "#a4161a" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffbf47", label: "data(label)" } },
      { selector: "edge[kind = 'command']", style: { width: 2.5 } },
      { selector: "edge[kind = 'payment'], edge[kind = 'supply']", style: { "line-style": "dashed" } },
      { selector: "edge[kind = 'family'], edge[kind = 'associate']", style: { "line-style": "dotted" } },
      { selector: ".hidden", style: { display: "none" } }
    );
    return style;
  }

  function mostConnected(graph, cap) {
    var degree = {};
    graph.edges.forEach(function (edge) {
      degree[edge.source] = (degree[edge.source] || 0) + 1;
      degree[edge.target] = (degree[edge.target] || 0) + 1;
    });
    var nodes = graph.nodes.slice().sort(function (a, b) {
      return (degree[b.id] || 0) - (degree[a.id] || 0) || a.id - b.id;
    }).slice(0, cap);
    var kept = {};
    nodes.forEach(function (node) { kept[node.id] = true; });
    return { nodes: nodes, edges: graph.edges.filter(function (edge) { return kept[edge.source] && kept[edge.target]; }) };
  }

  // A large network's analysis runs in the worker: ask its small status address now and then, and when the run has
  // finished, fetch this page again and put its status line and ranked tables in place of the waiting ones.
  function watchAnalysis() {
    var line = document.getElementById("analysis-status");
    if (!line || (line.dataset.state !== "queued" && line.dataset.state !== "running")) { return; }
    var delay = 2000;
    function swapIn() {
      return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          ["analysis-status", "network-tables"].forEach(function (id) {
            var incoming = fresh.getElementById(id);
            var current = document.getElementById(id);
            if (incoming && current) { current.replaceWith(document.importNode(incoming, true)); }
          });
          watchAnalysis();
        });
    }
    function ask() {
      fetch(line.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (run) {
          if (run.finished) { return swapIn(); }
          delay = Math.min(delay * 1.5, 15000);
          window.setTimeout(ask, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, 30000);
          window.setTimeout(ask, delay);
        });
    }
    window.setTimeout(ask, delay);
  }

  // Fit the drawing to its box, but never blow a small network up so far that its labels run into each other.
  function fitView() {
    cy.fit(undefined, 40);
    if (cy.zoom() > 1.6) {
      cy.zoom(1.6);
      cy.center();
    }
    container.dataset.fittedWidth = String(container.clientWidth);
  }

  function draw(graph, cap) {
    performance.mark("network-data");
    fullGraph = graph;
    var drawAll = document.getElementById("draw-all");
    if (cap && graph.nodes.length > cap) {
      summary = "Drawing the " + cap + " most connected of " + graph.nodes.length + " actors (the tables rank " +
        "all of them). ";
      graph = mostConnected(graph, cap);
      drawAll.hidden = false;
    } else {
      summary = "";
      drawAll.hidden = true;
    }
    if (cy) { cy.destroy(); }
    var big = graph.nodes.length > BIG;
    var elements = [];
    graph.nodes.forEach(function (node) {
      elements.push({ group: "nodes", data: {
        id: String(node.id), label: node.name, kind: node.kind, valid_from: node.valid_from,
        valid_to: node.valid_to, sanctioned: node.sanctioned ? 1 : 0 } });
    });
    graph.edges.forEach(function (edge) {
      elements.push({ group: "edges", data: {
        id: "e" + edge.id, source: String(edge.source), target: String(edge.target), kind: edge.kind,
        valid_from: edge.valid_from, valid_to: edge.valid_to } });
    });
    cy = window.cytoscape({
      container: container,
      elements: elements,
      wheelSensitivity: 0.3,
      minZoom: 0.02,
      maxZoom: 2.5,
      hideEdgesOnViewport: big,
      textureOnViewport: big,
      motionBlur: false,
      pixelRatio: big ? 1 : "auto",
      style: graphStyle(big),
      layout: big ? { name: "concentric", animate: false, avoidOverlap: false, minNodeSpacing: 4,
        concentric: function (node) { return node.degree(); }, levelWidth: function () { return 3; } } :
        { name: "cose", animate: false, randomize: true, padding: 40, nodeDimensionsIncludeLabels: true,
          nodeRepulsion: function () { return 400000; }, idealEdgeLength: function () { return 140; }, nodeOverlap: 40,
          componentSpacing: 160 }
    });
    fitView();
    performance.mark("network-laid-out");
    cy.on("tap", "node", function (event) { showActor(event.target.id()); });
    dates = buildDates(graph.nodes.concat(graph.edges));
    slider.max = String(Math.max(dates.length - 1, 0));
    slider.value = slider.max;
    applyFilters();
    container.dataset.ready = "true";
    performance.mark("network-ready");
  }

  // The drawing keeps its positions when the window narrows or widens; fit it to the new box so no actor is cut off.
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      if (cy) { cy.resize(); fitView(); }
    }, 150);
  });

  filters.addEventListener("change", applyFilters);
  slider.addEventListener("input", applyFilters);
  dateOn.addEventListener("change", function () {
    slider.disabled = !dateOn.checked;
    applyFilters();
  });
  document.getElementById("draw-all").addEventListener("click", function () {
    say("Drawing every actor; this can take a while…");
    window.setTimeout(function () { draw(fullGraph, 0); }, 20);
  });
  // Delegated, so the buttons of tables swapped in after a queued analysis finishes work too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".nw-show");
    if (button) { showActor(button.dataset.actor); }
  });
  watchAnalysis();

  fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (graph) { draw(graph, DRAW_CAP); })
    .catch(function (error) { say("The graph could not be loaded (" + error.message + "); the tables below still list the actors."); });
})();
