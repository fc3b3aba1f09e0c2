// Leaflet maps for elements marked data-map="regions" or data-map="points".
//
// Each map element names two json_script blocks: data-map-points (the markers) and
// data-map-tiles ({url, attribution}). The element stays `hidden` until a map is built,
// so without JavaScript, without Leaflet or on any error the page shows only its list or
// table of the same places. Tiles that fail to load leave a blank background under the
// markers; nothing else depends on them.
(function () {
  "use strict";

  function readJSON(id) {
    var element = id ? document.getElementById(id) : null;
    return element ? JSON.parse(element.textContent) : null;
  }

  function popupContent(point, countLabel) {
    // Built as nodes, never as HTML strings: names come from editors' records.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    box.appendChild(link);
    var detail = null;
    if (typeof point.count === "number") detail = countLabel + ": " + point.count;
    else if (point.region) detail = point.region;
    if (detail) {
      var line = document.createElement("div");
      line.textContent = detail;
      box.appendChild(line);
    }
    return box;
  }

  function addTiles(map, tiles) {
    if (!tiles || !tiles.url) return;
    L.tileLayer(tiles.url, {
      attribution: tiles.attribution || "",
      maxZoom: 18,
      crossOrigin: false,
    }).addTo(map);
  }

  function regionLayer(points, countLabel) {
    var max = points.reduce(function (m, p) { return Math.max(m, p.count || 0); }, 1);
    var group = L.featureGroup();
    points.forEach(function (point) {
      var radius = 8 + 22 * Math.sqrt((point.count || 0) / max);
      L.circleMarker([point.lat, point.lng], {
        radius: radius,
        color: "#083a66",
        weight: 2,
        fillColor: "#0b4f8a",
        fillOpacity: 0.45,
      })
        .bindPopup(popupContent(point, countLabel))
        .bindTooltip(point.name + " (" + (point.count || 0) + ")")
        .addTo(group);
    });
    return group;
  }

  function pointLayer(points, clustered) {
    var group = clustered && typeof L.markerClusterGroup === "function"
      ? L.markerClusterGroup({ showCoverageOnHover: false })
      : L.featureGroup();
    points.forEach(function (point) {
      L.marker([point.lat, point.lng], { title: point.name, alt: point.name, keyboard: true })
        .bindPopup(popupContent(point))
        .addTo(group);
    });
    return group;
  }

  function build(element) {
    if (element.getAttribute("data-map-ready")) return;
    element.setAttribute("data-map-ready", "1");
    if (typeof window.L === "undefined") return;
    var map = null;
    try {
      var points = readJSON(element.getAttribute("data-map-points")) || [];
      if (!points.length) return;
      var tiles = readJSON(element.getAttribute("data-map-tiles"));
      element.hidden = false;
      map = L.map(element, { scrollWheelZoom: false });
      map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
      addTiles(map, tiles);
      var kind = element.getAttribute("data-map");
      var layer = kind === "regions"
        ? regionLayer(points, element.getAttribute("data-count-label") || "")
        : pointLayer(points, element.hasAttribute("data-cluster"));
      layer.addTo(map);
      if (points.length === 1) {
        map.setView([points[0].lat, points[0].lng], parseInt(element.getAttribute("data-zoom") || "12", 10));
      } else {
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 13 });
      }
    } catch (error) {
      // The list or table next to the map has the same places: hide the broken map.
      if (map) {
        try { map.remove(); } catch (ignored) { /* already gone */ }
      }
      element.hidden = true;
      if (window.console) window.console.warn("Map not shown:", error);
    }
  }

  function buildAll() {
    document.querySelectorAll("[data-map]").forEach(build);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", buildAll);
  else buildAll();
  // htmx swaps in new results (e.g. the map view of the search): build their maps too.
  document.addEventListener("htmx:afterSettle", buildAll);
})();
