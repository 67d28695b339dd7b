// The operator page: our own map (main roads of the bundle's drive graph, drawn on a canvas), places to pick,
// a proposed line with its metrics and its GTFS. Vanilla JS, same-origin requests only, no tiles, no CDN.
"use strict";

(function () {
  const API = "/v1/operators";
  const KEY_STORAGE = "heritage-operator-key";
  const ROAD_STYLE = {
    motorway: ["#e8a33c", 3.2], trunk: ["#e8a33c", 3], primary: ["#f2c75c", 2.6], secondary: ["#f7dd8b", 2.2],
    tertiary: ["#ffffff", 1.6],
  };
  const $ = (id) => document.getElementById(id);
  const canvas = $("map");
  const context = canvas.getContext("2d");
  const state = {
    network: null, places: [], byId: new Map(), picked: [], line: null, geojson: null, objectUrls: [], areas: null,
    view: { lon: 105.85, lat: 21.03, scale: 20000 }, // scale: pixels per degree of longitude
    hover: null, coverage: null,
  };

  // --- projection ------------------------------------------------------------------------------------------------
  function kx() { return Math.cos((state.view.lat * Math.PI) / 180); }
  function toScreen(lon, lat) {
    const width = canvas.clientWidth, height = canvas.clientHeight, s = state.view.scale;
    return [width / 2 + (lon - state.view.lon) * s, height / 2 - ((lat - state.view.lat) * s) / kx()];
  }
  function toWorld(x, y) {
    const width = canvas.clientWidth, height = canvas.clientHeight, s = state.view.scale;
    return [state.view.lon + (x - width / 2) / s, state.view.lat - ((y - height / 2) * kx()) / s];
  }
  function fit(points, paddingPx) {
    if (!points.length) return;
    let west = Infinity, east = -Infinity, south = Infinity, north = -Infinity;
    for (const [lon, lat] of points) {
      west = Math.min(west, lon); east = Math.max(east, lon); south = Math.min(south, lat); north = Math.max(north, lat);
    }
    state.view.lon = (west + east) / 2;
    state.view.lat = (south + north) / 2;
    const width = Math.max(canvas.clientWidth - 2 * paddingPx, 50), height = Math.max(canvas.clientHeight - 2 * paddingPx, 50);
    const spanX = Math.max(east - west, 0.002), spanY = Math.max((north - south) / kx(), 0.002);
    state.view.scale = Math.min(width / spanX, height / spanY);
    draw();
  }

  // --- drawing ---------------------------------------------------------------------------------------------------
  function resize() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw();
  }

  let pending = false;
  function draw() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(() => { pending = false; render(); });
  }

  function render() {
    const width = canvas.clientWidth, height = canvas.clientHeight;
    context.clearRect(0, 0, width, height);
    context.fillStyle = "#efe9dc";
    context.fillRect(0, 0, width, height);
    if (state.areas) drawAreas();
    if (state.network) drawRoads();
    if (state.network) drawStreetLabels();
    if (state.geojson) drawLine();
    drawPlaces();
    drawPlaceLabels();
    if (state.coverage && $("coverage-layer").checked) drawCoverage();
    if (state.geojson) drawStops();
  }

  // Before/after isochrones: the "after" area filled green, the "before" outlined grey on top.
  function drawAreas() {
    const styles = { after: ["rgba(46,125,50,0.25)", "#2e7d32"], before: ["rgba(97,97,97,0.12)", "#616161"] };
    for (const label of ["after", "before"]) {
      const feature = state.areas.features.find((f) => f.properties.network === label);
      if (!feature) continue;
      const polygons = feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
      context.beginPath();
      for (const polygon of polygons) {
        for (const ring of polygon) {
          ring.forEach(([lon, lat], index) => {
            const [x, y] = toScreen(lon, lat);
            if (index === 0) context.moveTo(x, y); else context.lineTo(x, y);
          });
          context.closePath();
        }
      }
      context.fillStyle = styles[label][0];
      context.fill("evenodd");
      context.strokeStyle = styles[label][1];
      context.lineWidth = 1.5;
      context.stroke();
    }
  }

  // Labels that do not overlap: a label is drawn only if its box is free (a coarse occupancy grid).
  function labelGrid() {
    const cells = new Set();
    return (x, y, width, height) => {
      const keys = [];
      for (let gx = Math.floor((x - width / 2) / 20); gx <= Math.floor((x + width / 2) / 20); gx += 1) {
        for (let gy = Math.floor((y - height / 2) / 14); gy <= Math.floor((y + height / 2) / 14); gy += 1) {
          keys.push(`${gx}:${gy}`);
        }
      }
      if (keys.some((key) => cells.has(key))) return false;
      keys.forEach((key) => cells.add(key));
      return true;
    };
  }
  let placeGrid = null;
  const drawnPlaceLabels = new Set(), drawnStreetLabels = new Set(), drawnUnitLabels = new Set();

  function drawStreetLabels() {
    if (state.view.scale < 12000 || !state.network.road_names) return;
    const names = state.network.road_names, index = state.network.road_name_index;
    const free = labelGrid();
    const done = new Set();
    drawnStreetLabels.clear();
    context.font = "italic 11px system-ui, sans-serif";
    context.fillStyle = "#5d4037";
    context.textAlign = "center";
    context.textBaseline = "middle";
    state.network.roads.forEach((road, i) => {
      const name = index[i] >= 0 ? names[index[i]] : "";
      if (!name || road.length < 5) return;
      const [x1, y1] = toScreen(road[1], road[2]);
      const [x2, y2] = toScreen(road[road.length - 2], road[road.length - 1]);
      const length = Math.hypot(x2 - x1, y2 - y1);
      const width = context.measureText(name).width;
      if (length < width + 10) return;
      const x = (x1 + x2) / 2, y = (y1 + y2) / 2;
      if (x < 0 || y < 0 || x > canvas.clientWidth || y > canvas.clientHeight) return;
      const key = `${name}:${Math.floor(x / 250)}:${Math.floor(y / 250)}`;
      if (done.has(key) || !free(x, y, width, 12)) return;
      done.add(key);
      drawnStreetLabels.add(name);
      let angle = Math.atan2(y2 - y1, x2 - x1);
      if (angle > Math.PI / 2) angle -= Math.PI; else if (angle < -Math.PI / 2) angle += Math.PI;
      context.save();
      context.translate(x, y);
      context.rotate(angle);
      context.strokeStyle = "rgba(255,255,255,0.85)";
      context.lineWidth = 3;
      context.strokeText(name, 0, 0);
      context.fillText(name, 0, 0);
      context.restore();
    });
  }

  function drawPlaceLabels() {
    placeGrid = labelGrid();
    drawnPlaceLabels.clear();
    const themed = new Set(selectedThemes());
    const picked = new Set(state.picked);
    const served = new Set(state.line ? state.line.proposal.designed_for : []);
    context.font = "600 11px system-ui, sans-serif";
    context.textAlign = "left";
    context.textBaseline = "middle";
    const ranked = state.places
      .filter((p) => picked.has(p.id) || served.has(p.id) || (state.view.scale > 15000 && (isFeatured(p) || p.categories.some((c) => themed.has(c)))))
      .sort((a, b) => Number(picked.has(b.id) || served.has(b.id)) - Number(picked.has(a.id) || served.has(a.id)));
    for (const place of ranked) {
      const [x, y] = toScreen(place.lon, place.lat);
      if (x < 0 || y < 0 || x > canvas.clientWidth || y > canvas.clientHeight) continue;
      const width = context.measureText(place.name).width;
      if (!placeGrid(x + 8 + width / 2, y, width, 12)) continue;
      context.strokeStyle = "rgba(255,255,255,0.9)";
      context.lineWidth = 3;
      context.strokeText(place.name, x + 8, y);
      context.fillStyle = "#212121";
      context.fillText(place.name, x + 8, y);
      drawnPlaceLabels.add(place.id);
    }
  }

  function drawRoads() {
    const classes = state.network.classes;
    const zoomedOut = state.view.scale < 8000;
    // Minor classes first, so that the main roads are drawn over them.
    for (let pass = classes.length - 1; pass >= 0; pass -= 1) {
      const name = classes[pass].replace("_link", "");
      const style = ROAD_STYLE[name] || ["#ffffff", 1];
      if (zoomedOut && name === "tertiary") continue;
      context.strokeStyle = style[0];
      context.lineWidth = Math.max(0.6, style[1] * Math.min(1.4, state.view.scale / 25000));
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      for (const road of state.network.roads) {
        if (road[0] !== pass) continue;
        let [x, y] = toScreen(road[1], road[2]);
        context.moveTo(x, y);
        for (let i = 3; i < road.length; i += 2) {
          [x, y] = toScreen(road[i], road[i + 1]);
          context.lineTo(x, y);
        }
      }
      context.stroke();
    }
  }

  function placeColour(place) {
    if (place.categories.includes("heritage")) return "#b71c1c";
    if (place.categories.includes("ci_centre")) return "#6a1b9a";
    return "#9e9e9e";
  }
  function isFeatured(place) { return place.categories.includes("heritage") || place.categories.includes("ci_centre"); }

  function drawPlaces() {
    const picked = new Set(state.picked);
    const themed = new Set(selectedThemes());
    for (const place of state.places) {
      const [x, y] = toScreen(place.lon, place.lat);
      if (x < -10 || y < -10 || x > canvas.clientWidth + 10 || y > canvas.clientHeight + 10) continue;
      const inTheme = place.categories.some((c) => themed.has(c));
      const radius = picked.has(place.id) ? 7 : isFeatured(place) ? 5 : 3;
      context.beginPath();
      context.arc(x, y, radius, 0, 2 * Math.PI);
      context.fillStyle = placeColour(place);
      context.globalAlpha = isFeatured(place) || inTheme ? 1 : 0.7;
      context.fill();
      context.globalAlpha = 1;
      if (picked.has(place.id) || inTheme) {
        context.lineWidth = picked.has(place.id) ? 3 : 1.5;
        context.strokeStyle = picked.has(place.id) ? "#000" : "#fff";
        context.stroke();
      }
    }
  }

  function drawLine() {
    const colours = ["#1565c0", "#c62828"];
    for (const feature of state.geojson.features) {
      if (feature.properties.kind !== "route") continue;
      context.strokeStyle = colours[feature.properties.direction % 2];
      context.globalAlpha = 0.85;
      context.lineWidth = 5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      feature.geometry.coordinates.forEach(([lon, lat], index) => {
        const [x, y] = toScreen(lon, lat);
        if (index === 0) context.moveTo(x, y); else context.lineTo(x, y);
      });
      context.stroke();
      context.globalAlpha = 1;
    }
  }

  function drawStops() {
    context.font = "bold 11px system-ui, sans-serif";
    context.textAlign = "center";
    context.textBaseline = "middle";
    for (const feature of state.geojson.features) {
      if (feature.properties.kind !== "stop") continue;
      const [x, y] = toScreen(...feature.geometry.coordinates);
      context.beginPath();
      context.arc(x, y, 9, 0, 2 * Math.PI);
      context.fillStyle = "#fff";
      context.fill();
      context.lineWidth = 3;
      context.strokeStyle = feature.properties.new ? "#e65100" : "#1565c0";
      context.stroke();
      context.fillStyle = "#111";
      context.fillText(String((feature.properties.order ?? 0) + 1), x, y + 0.5);
    }
  }

  // --- wards and communes: story coverage and the bus from Hoàn Kiếm at 09:00 (issue 17) -------------------------
  const COVERAGE_BANDS = [[30, "#2e7d32"], [60, "#f9a825"], [90, "#ef6c00"], [Infinity, "#c62828"]];
  function busMinutes(unit) { return unit.transit_from_hoan_kiem ? unit.transit_from_hoan_kiem.duration_min : null; }
  function coverageColour(unit) {
    const value = busMinutes(unit);
    return value === null ? "#757575" : COVERAGE_BANDS.find(([limit]) => value < limit)[1];
  }
  function shortName(unit) { return unit.name.replace(/^(Phường|Xã) /, ""); }

  // Each unit's signature place as a diamond coloured by its bus time, labelled "Unit · N min" where room allows.
  function drawCoverage() {
    drawnUnitLabels.clear();
    context.font = "600 11px system-ui, sans-serif";
    context.textAlign = "left";
    context.textBaseline = "middle";
    const units = state.coverage.units.filter((unit) => unit.signature_place)
      .sort((a, b) => Number(b.verified_story) - Number(a.verified_story));
    for (const unit of units) {
      const [x, y] = toScreen(unit.signature_place.lon, unit.signature_place.lat);
      if (x < -10 || y < -10 || x > canvas.clientWidth + 10 || y > canvas.clientHeight + 10) continue;
      context.beginPath();
      context.moveTo(x, y - 7); context.lineTo(x + 7, y); context.lineTo(x, y + 7); context.lineTo(x - 7, y);
      context.closePath();
      context.fillStyle = coverageColour(unit);
      context.fill();
      context.lineWidth = unit.verified_story ? 2 : 1;
      context.strokeStyle = unit.verified_story ? "#000" : "#fff";
      context.stroke();
      const value = busMinutes(unit);
      const text = `${shortName(unit)} · ${value === null ? "no bus" : `${Math.round(value)} min`}`;
      const width = context.measureText(text).width;
      if (!placeGrid || !placeGrid(x + 10 + width / 2, y, width, 12)) continue;
      context.strokeStyle = "rgba(255,255,255,0.9)";
      context.lineWidth = 3;
      context.strokeText(text, x + 10, y);
      context.fillStyle = "#0d47a1";
      context.fillText(text, x + 10, y);
      drawnUnitLabels.add(unit.id);
    }
  }

  function showCoverage(coverage) {
    const units = coverage.units;
    $("coverage-summary").textContent = `${coverage.verified} of ${units.length} units with a verified story; `
      + `${coverage.reached} signature places reached by bus from Hoàn Kiếm at 09:00.`;
    $("coverage").tBodies[0].replaceChildren(...units.map((unit) => {
      const row = document.createElement("tr");
      row.dataset.unitId = unit.id;
      row.dataset.status = unit.status;
      const value = busMinutes(unit);
      const transit = unit.transit_from_hoan_kiem;
      const cells = [
        shortName(unit),
        unit.verified_story ? "✓ verified" : unit.status,
        unit.signature_place ? unit.signature_place.name : "–",
        value === null ? (transit ? "no bus" : "–") : String(value),
      ];
      row.append(...cells.map((text) => { const cell = document.createElement("td"); cell.textContent = text; return cell; }));
      row.cells[0].title = `${unit.name} (${unit.kind === "ward" ? "phường / ward" : "xã / commune"})`;
      row.cells[3].style.color = coverageColour(unit);
      if (transit) row.cells[3].title = transit.lines.length ? `lines ${transit.lines.join(", ")}` : transit.message;
      if (unit.signature_place) {
        row.classList.add("placed");
        row.addEventListener("click", () => {
          $("coverage-layer").checked = true;
          state.view.lon = unit.signature_place.lon; state.view.lat = unit.signature_place.lat;
          draw();
        });
      }
      return row;
    }));
    document.body.dataset.coverage = String(units.length);
  }
  $("coverage-layer").addEventListener("change", draw);

  async function loadCoverage() {
    try {
      state.coverage = await (await call(`${API}/communes`, {})).json();
      showCoverage(state.coverage);
      draw();
    } catch (error) {
      $("coverage-summary").textContent = `Cannot load the wards and communes: ${error.message}`;
    }
  }

  // --- interaction -----------------------------------------------------------------------------------------------
  function nearestPlace(x, y, maxPx) {
    let best = null, bestDistance = maxPx;
    for (const place of state.places) {
      const [px, py] = toScreen(place.lon, place.lat);
      const distance = Math.hypot(px - x, py - y);
      if (distance <= bestDistance) { best = place; bestDistance = distance; }
    }
    return best;
  }

  function togglePlace(placeId) {
    const index = state.picked.indexOf(placeId);
    if (index >= 0) state.picked.splice(index, 1); else state.picked.push(placeId);
    renderPicked();
    draw();
  }

  function renderPicked() {
    const list = $("picked");
    list.replaceChildren(...state.picked.map((id) => {
      const item = document.createElement("li");
      item.textContent = state.byId.get(id)?.name || id;
      item.dataset.placeId = id;
      item.title = "Remove";
      item.addEventListener("click", () => togglePlace(id));
      return item;
    }));
  }

  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    drag = { x: event.offsetX, y: event.offsetY, lon: state.view.lon, lat: state.view.lat, moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (drag) {
      const dx = event.offsetX - drag.x, dy = event.offsetY - drag.y;
      if (Math.hypot(dx, dy) > 4) drag.moved = true;
      if (drag.moved) {
        canvas.classList.add("dragging");
        state.view.lon = drag.lon - dx / state.view.scale;
        state.view.lat = drag.lat + (dy * kx()) / state.view.scale;
        draw();
      }
      return;
    }
    const place = nearestPlace(event.offsetX, event.offsetY, 8);
    const tooltip = $("tooltip");
    if (place) {
      tooltip.textContent = `${place.name} (${place.categories.join(", ")})`;
      tooltip.style.left = `${event.offsetX + 12}px`;
      tooltip.style.top = `${event.offsetY + 12}px`;
      tooltip.hidden = false;
      canvas.style.cursor = "pointer";
    } else {
      tooltip.hidden = true;
      canvas.style.cursor = "";
    }
  });
  canvas.addEventListener("pointerup", (event) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    canvas.classList.remove("dragging");
    if (wasDrag) return;
    const place = nearestPlace(event.offsetX, event.offsetY, 10);
    if (place) togglePlace(place.id);
  });
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    zoomAt(event.offsetX, event.offsetY, event.deltaY < 0 ? 1.25 : 0.8);
  }, { passive: false });

  function zoomAt(x, y, factor) {
    const [lon, lat] = toWorld(x, y);
    state.view.scale = Math.min(Math.max(state.view.scale * factor, 500), 2000000);
    const [lon2, lat2] = toWorld(x, y);
    state.view.lon += lon - lon2;
    state.view.lat += lat - lat2;
    draw();
  }
  $("zoom-in").addEventListener("click", () => zoomAt(canvas.clientWidth / 2, canvas.clientHeight / 2, 1.5));
  $("zoom-out").addEventListener("click", () => zoomAt(canvas.clientWidth / 2, canvas.clientHeight / 2, 1 / 1.5));
  $("zoom-fit").addEventListener("click", fitLine);
  $("clear-picked").addEventListener("click", () => { state.picked = []; renderPicked(); draw(); });
  document.querySelectorAll("input[name=theme]").forEach((box) => box.addEventListener("change", draw));
  window.addEventListener("resize", resize);

  function fitLine() {
    if (!state.geojson) return;
    const points = [];
    for (const feature of state.geojson.features) {
      if (feature.properties.kind === "route") points.push(...feature.geometry.coordinates);
    }
    fit(points, 40);
  }

  // --- the API ---------------------------------------------------------------------------------------------------
  const keyInput = $("api-key");
  keyInput.value = window.sessionStorage.getItem(KEY_STORAGE) || "";
  keyInput.addEventListener("input", () => window.sessionStorage.setItem(KEY_STORAGE, keyInput.value.trim()));

  function selectedThemes() {
    return Array.from(document.querySelectorAll("input[name=theme]:checked"), (box) => box.value);
  }

  function setStatus(text, isError) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  async function call(path, options) {
    const response = await fetch(path, options);
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json();
        message = `${problem.title || response.status}: ${problem.detail || ""}`;
      } catch (ignored) { /* not problem+json */ }
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return response;
  }

  async function propose() {
    const key = keyInput.value.trim();
    if (!key) { setStatus("Enter your operator key first.", true); keyInput.focus(); return; }
    const interests = selectedThemes();
    if (!interests.length && !state.picked.length) {
      setStatus("Pick places on the map or choose a theme.", true);
      return;
    }
    const body = {
      interests,
      place_ids: state.picked,
      headway_min: Number($("headway").value),
      objective: $("objective").value,
      vnd_per_vehicle_km: Number($("cost-km").value),
      vnd_per_vehicle_hour: Number($("cost-hour").value),
      service_hours: `${$("hours-start").value}-${$("hours-end").value}`,
      max_stops: Number($("max-stops").value),
      name: $("line-name").value.trim() || "Heritage line",
      evaluate: $("evaluate").checked,
    };
    if ($("max-fleet").value) body.max_fleet = Number($("max-fleet").value);
    await design(body, key);
  }

  // Design (or re-design through an alternative's sites), fetch the GeoJSON and the GTFS, show everything.
  async function design(body, key) {
    const button = $("propose");
    button.disabled = true;
    setStatus(body.evaluate ? "Designing the line and measuring what it changes…" : "Designing the line…");
    try {
      const headers = { "X-API-Key": key, "Content-Type": "application/json", Accept: "application/json" };
      const created = await (await call(`${API}/lines`, { method: "POST", headers, body: JSON.stringify(body) })).json();
      const auth = { headers: { "X-API-Key": key } };
      state.line = created;
      state.areas = null;
      state.geojson = await (await call(created.links.geojson, auth)).json();
      const gtfs = await (await call(created.links.gtfs, auth)).blob();
      showResults(created, gtfs);
      fitLine();
      setStatus(`Line ${created.id} proposed.`);
      state.lastBody = body;
    } catch (error) {
      setStatus(error.message, true);
    } finally {
      button.disabled = false;
    }
  }
  $("propose").addEventListener("click", propose);

  function minutes(value) { return value === undefined || value === null ? "–" : `${Number(value).toFixed(1)} min`; }

  function showResults(created, gtfs) {
    const proposal = created.proposal;
    const summary = proposal.evaluation ? proposal.evaluation.summary : null;
    const rows = [
      ["Stops", proposal.stops.length, "stops"],
      ["Round trip", minutes(proposal.round_trip_min), "round-trip"],
      [`Fleet (every ${proposal.headway_min} min)`, `${proposal.fleet_size} buses`, "fleet"],
      ["Trips a day", proposal.trips_per_day, "trips"],
      ["Vehicle-km a day", proposal.vehicle_km_per_day, "vehicle-km"],
      ["Vehicle-hours a day", proposal.vehicle_hours_per_day, "vehicle-hours"],
    ];
    if (summary) {
      rows.push(
        ["Sites within 400 m of a stop", proposal.sites_served_count, "sites-served"],
        ["Mean time, before → after", `${minutes(summary.mean_before_min)} → ${minutes(summary.mean_after_min)}`, "mean"],
        ["Median time, before → after",
          `${minutes(summary.median_before_min)} → ${minutes(summary.median_after_min)}`, "median"],
        ["Pairs faster", `${(summary.share_improved * 100).toFixed(1)} %`, "share-improved"],
        [`Pairs the line touches (${summary.touched_pairs})`,
          `${minutes(summary.touched_mean_saving_min)} saved on average, median ${minutes(summary.touched_median_saving_min)}`,
          "touched"],
        ["Touched pairs faster by ≥ 1 min", `${((summary.touched_share_improved || 0) * 100).toFixed(1)} %`,
          "touched-share"],
      );
    }
    if (proposal.operating_cost) {
      rows.push(["Operating cost a day (estimated)", `${proposal.operating_cost.vnd_per_day.toLocaleString("en")} VND`, "cost"]);
    }
    (proposal.walked_last_legs || []).forEach((leg) => rows.push([`Walk from ${leg.name}`, `${leg.walk_m} m`, "walk"]));
    const body = $("metrics").tBodies[0];
    body.replaceChildren(...rows.map(([label, value, id]) => {
      const row = document.createElement("tr");
      row.dataset.metric = id;
      const head = document.createElement("th");
      head.textContent = label;
      const cell = document.createElement("td");
      cell.textContent = String(value);
      row.append(head, cell);
      return row;
    }));
    const top = proposal.evaluation ? proposal.evaluation.top_sites : [];
    $("top-sites").replaceChildren(...top.map((site) => {
      const item = document.createElement("li");
      item.textContent = `${site.name}: ${minutes(site.mean_before_min)} → ${minutes(site.mean_after_min)}`;
      return item;
    }));
    $("result-title").textContent = `${proposal.name} (${proposal.kind})`;
    showVerdict(summary);
    showChart(proposal.evaluation ? proposal.evaluation.savings_histogram : null);
    showAlternatives(proposal.alternatives || []);
    showResidents(proposal.residents);
    $("iso-site").replaceChildren(...proposal.designed_for.map((id) => {
      const option = document.createElement("option");
      option.value = id;
      option.textContent = state.byId.get(id)?.name || id;
      return option;
    }));
    state.objectUrls.forEach((url) => URL.revokeObjectURL(url));
    const gtfsUrl = URL.createObjectURL(gtfs);
    const geojsonUrl = URL.createObjectURL(new Blob([JSON.stringify(state.geojson)], { type: "application/geo+json" }));
    state.objectUrls = [gtfsUrl, geojsonUrl];
    const link = $("download-gtfs");
    link.href = gtfsUrl;
    link.download = `${proposal.line_id}-gtfs.zip`;
    $("download-geojson").href = geojsonUrl;
    $("results").hidden = false;
    $("results").scrollIntoView({ block: "nearest" });
    document.body.dataset.lineId = created.id;
  }

  function showVerdict(summary) {
    const verdict = $("verdict");
    if (!summary) { verdict.textContent = ""; return; }
    const touched = summary.touched_mean_saving_min || 0;
    const weak = touched < 5 || (summary.touched_share_improved || 0) < 0.3;
    verdict.classList.toggle("weak", weak);
    verdict.textContent = weak
      ? `This line barely helps: ${touched.toFixed(1)} min saved on average for the pairs it serves.`
      : `This line saves ${touched.toFixed(1)} min on average for the pairs it serves.`;
  }

  // The savings distribution as an inline SVG bar chart (pairs per bin, touched pairs in blue).
  function showChart(histogram) {
    const holder = $("savings-chart");
    if (!histogram) { holder.replaceChildren(); return; }
    const edges = histogram.edges_min;
    const labels = [`< ${edges[0]}`, ...edges.slice(0, -1).map((e, i) => `${e}–${edges[i + 1]}`), `> ${edges[edges.length - 1]}`];
    const top = Math.max(1, ...histogram.all);
    const width = 320, height = 140, bar = width / labels.length;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height + 30}`);
    svg.setAttribute("role", "img");
    const add = (name, attributes, text) => {
      const element = document.createElementNS(ns, name);
      Object.entries(attributes).forEach(([k, v]) => element.setAttribute(k, String(v)));
      if (text !== undefined) element.textContent = text;
      svg.append(element);
    };
    labels.forEach((label, i) => {
      const scale = (n) => (Math.log1p(n) / Math.log1p(top)) * height;
      add("rect", { x: i * bar + 2, y: height - scale(histogram.all[i]), width: bar - 4, height: scale(histogram.all[i]), fill: "#bdbdbd" },);
      add("rect", { x: i * bar + 5, y: height - scale(histogram.touched[i]), width: bar - 10, height: scale(histogram.touched[i]), fill: "#1565c0", "data-bin": i });
      add("text", { x: i * bar + bar / 2, y: height + 12, "text-anchor": "middle", "font-size": 8 }, label);
      add("text", { x: i * bar + bar / 2, y: height - scale(histogram.all[i]) - 2, "text-anchor": "middle", "font-size": 8 }, histogram.all[i]);
    });
    add("text", { x: width / 2, y: height + 26, "text-anchor": "middle", "font-size": 9 }, "minutes saved (grey: all pairs, blue: pairs the line serves; log scale)");
    holder.replaceChildren(svg);
  }

  function showAlternatives(alternatives) {
    const body = $("alternatives").tBodies[0];
    body.replaceChildren(...alternatives.map((alternative) => {
      const row = document.createElement("tr");
      row.classList.toggle("chosen", alternative.chosen);
      const pick = document.createElement("button");
      pick.type = "button";
      pick.textContent = alternative.chosen ? "chosen" : "pick";
      pick.disabled = alternative.chosen;
      pick.addEventListener("click", () => {
        const body = { ...state.lastBody, interests: [], place_ids: alternative.sites.slice(0, 40), kind: alternative.kind };
        design(body, keyInput.value.trim());
      });
      const cells = [alternative.fleet_size, alternative.kind, alternative.stops.length,
        `${alternative.benefit_min.toFixed(2)} min`, alternative.vehicle_hours_per_day];
      const first = document.createElement("td");
      first.append(pick);
      row.append(first, ...cells.map((value) => { const cell = document.createElement("td"); cell.textContent = String(value); return cell; }));
      row.title = alternative.stops.join(" → ");
      return row;
    }));
  }

  function showResidents(residents) {
    const body = $("wards").tBodies[0];
    if (!residents) { body.replaceChildren(); $("residents-summary").textContent = ""; return; }
    const gains = residents.residents_gaining_access;
    $("residents-summary").textContent = `Residents gaining a site within 30 / 45 / 60 min: ${gains["30"].toLocaleString("en")} / `
      + `${gains["45"].toLocaleString("en")} / ${gains["60"].toLocaleString("en")}`
      + (residents.population_estimated_units ? ` (${residents.population_estimated_units} units weighted by area: no population figure)` : "");
    body.replaceChildren(...residents.wards.slice(0, 10).map((ward) => {
      const row = document.createElement("tr");
      row.dataset.wardId = ward.ward_id;
      const cells = [ward.name, `${ward.population.toLocaleString("en")}${ward.population_estimated ? " (est.)" : ""}`,
        `${ward.nearest_site_before_min ?? "–"} → ${ward.nearest_site_after_min ?? "–"}`,
        `${ward.mean_site_saving_min.toFixed(1)}`];
      row.append(...cells.map((value) => { const cell = document.createElement("td"); cell.textContent = value; return cell; }));
      return row;
    }));
  }

  async function drawIsochrones() {
    if (!state.line) return;
    const key = keyInput.value.trim();
    const place = $("iso-site").value, minutesValue = Number($("iso-minutes").value);
    setStatus("Drawing the areas reachable before and after…");
    try {
      const url = `${state.line.links.self}/isochrones?place_id=${encodeURIComponent(place)}&minutes=${minutesValue}`;
      state.areas = await (await call(url, { headers: { "X-API-Key": key } })).json();
      const [before, after] = ["before", "after"].map((n) => state.areas.features.find((f) => f.properties.network === n));
      setStatus(`Within ${minutesValue} min: ${before.properties.places} places before, ${after.properties.places} after.`);
      document.body.dataset.areas = "true";
      draw();
    } catch (error) {
      setStatus(error.message, true);
    }
  }
  $("iso-draw").addEventListener("click", drawIsochrones);

  // --- start -----------------------------------------------------------------------------------------------------
  async function start() {
    resize();
    setStatus("Loading the street network…");
    try {
      const network = await (await call(`${API}/network`, {})).json();
      state.network = network;
      state.places = network.places;
      state.byId = new Map(network.places.map((place) => [place.id, place]));
      // Centre on the network: the middle 60 % of the main roads' points (the dense city, not the province).
      const lons = [], lats = [];
      for (const road of network.roads) { lons.push(road[1]); lats.push(road[2]); }
      lons.sort((a, b) => a - b); lats.sort((a, b) => a - b);
      const cut = (values, q) => values[Math.min(values.length - 1, Math.floor(q * values.length))];
      fit([[cut(lons, 0.2), cut(lats, 0.2)], [cut(lons, 0.8), cut(lats, 0.8)]], 20);
      setStatus(`${network.roads.length} road segments, ${network.places.length} places.`);
      document.body.dataset.ready = "true";
    } catch (error) {
      setStatus(`Cannot load the network: ${error.message}`, true);
    }
    await loadCoverage();
  }

  // For tests and the console: where a place is drawn (CSS pixels within the canvas).
  window.operatorMap = {
    screenPosition(placeId) {
      const place = state.byId.get(placeId);
      return place ? toScreen(place.lon, place.lat) : null;
    },
    labels() { return { places: [...drawnPlaceLabels], streets: [...drawnStreetLabels], units: [...drawnUnitLabels] }; },
    centreOn(placeId) {
      const place = state.byId.get(placeId);
      if (place) { state.view.lon = place.lon; state.view.lat = place.lat; render(); }
    },
  };
  start();
})();
