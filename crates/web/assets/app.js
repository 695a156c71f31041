// Forms marked data-api post their fields to the JSON API: a field "a.b" becomes {a: {b: ...}}; a name ending in
// "[]" collects a list (a checkbox adds its value when checked; a field with data-item='{"k": ...}' adds that object
// with its value, when it has one); data-type="number" sends a number, data-type="bool" a checkbox as true or
// false, data-type="declaration" a checked box as false (no conflict declared); only the chosen radio button counts.
// data-body is the JSON the fields are added to ({} by default); a field marked data-in-path fills its {name} in
// data-api and data-next instead of the body. A [data-rows="a.b"] container sends its [data-row]s as a list of
// objects (see formBody); a [data-optional="a.b"] part left empty is not sent; data-method replaces POST. Cookie sessions repeat the form's data-csrf in X-CSRF-Token;
// data-version, the version the page was made from, goes in If-Match so that a stale page cannot overwrite a newer
// change (the API answers 409 and the message is shown). On success the page goes to data-next; on failure the
// API's message is shown.
//
// The annual report editor (form.report-form) sends its inputs named "{element}@{division}" as the report's values,
// checks them as they are typed, and reads a filled Excel template into them (form.report-upload).
"use strict";

function headersFor(form, json) {
  const headers = json ? { "Content-Type": "application/json" } : {};
  if (form.dataset.csrf) headers["X-CSRF-Token"] = form.dataset.csrf;
  if (form.dataset.version) headers["If-Match"] = `"${form.dataset.version}"`;
  return headers;
}

function fieldValue(input) {
  if (input.dataset.type === "number") return input.value === "" ? null : Number(input.value);
  if (input.dataset.type === "bool") return input.checked;
  if (input.dataset.type === "declaration") return !input.checked;
  return input.value;
}

function setPath(target, path, value) {
  const keys = path.split(".");
  for (const key of keys.slice(0, -1)) target = target[key] = target[key] || {};
  target[keys[keys.length - 1]] = value;
}

function deletePath(target, path) {
  const keys = path.split(".");
  for (const key of keys.slice(0, -1)) {
    target = target[key];
    if (!target) return;
  }
  delete target[keys[keys.length - 1]];
}

function formBody(form) {
  const body = JSON.parse(form.dataset.body || "{}");
  // Lists of objects: each [data-rows="path"] holds rows ([data-row], with fixed fields as JSON in its value) whose
  // [data-field] inputs make one object; a row whose data-required field is empty is left out.
  for (const list of form.querySelectorAll("[data-rows]")) {
    const rows = [];
    for (const row of list.querySelectorAll("[data-row]")) {
      const item = row.dataset.row ? JSON.parse(row.dataset.row) : {};
      for (const input of row.querySelectorAll("[data-field]")) {
        const value = input.value.trim();
        if (value !== "") item[input.dataset.field] = input.dataset.type === "number" ? Number(value) : value;
      }
      if (!list.dataset.required || item[list.dataset.required] !== undefined) rows.push(item);
    }
    setPath(body, list.dataset.rows, rows);
  }
  // The plan's featured indicators: every block with a code, its fields and its targets by year.
  const featuredBlocks = [...form.querySelectorAll("[data-featured]")];
  if (featuredBlocks.length) {
    const featured = [];
    for (const block of featuredBlocks) {
      const indicator = { targets: [] };
      for (const input of block.querySelectorAll("[data-field]")) {
        if (input.value.trim()) indicator[input.dataset.field] = input.value.trim();
      }
      for (const input of block.querySelectorAll("[data-target-year]")) {
        if (input.value.trim()) indicator.targets.push({ year: Number(input.dataset.targetYear), value: input.value.trim() });
      }
      if (indicator.code) featured.push(indicator);
    }
    body.document = body.document || {};
    body.document.featured = featured;
  }
  for (const input of form.querySelectorAll("[name]")) {
    if (input.type === "submit" || input.tagName === "BUTTON" || "inPath" in input.dataset) continue;
    if (input.type === "radio" && !input.checked) continue;
    const list = input.name.endsWith("[]");
    const path = (list ? input.name.slice(0, -2) : input.name).split(".");
    let target = body;
    for (const key of path.slice(0, -1)) target = target[key] = target[key] || {};
    const last = path[path.length - 1];
    if (!list) {
      target[last] = fieldValue(input);
      continue;
    }
    const items = (target[last] = target[last] || []);
    if (input.type === "checkbox") {
      if (input.checked) items.push(input.dataset.type === "number" ? Number(input.value) : input.value);
    } else if (input.value.trim() !== "") {
      items.push(input.dataset.item ? { ...JSON.parse(input.dataset.item), value: input.value.trim() } : input.value);
    }
  }
  // A part marked data-optional whose inputs are all empty is not sent at all.
  for (const part of form.querySelectorAll("[data-optional]")) {
    const filled = [...part.querySelectorAll("input, select, textarea")].some((i) => i.value.trim() !== "");
    if (!filled) deletePath(body, part.dataset.optional);
  }
  return body;
}

// The API's error answer, or one made of the status text when the body is not JSON.
function errorMessage(response) {
  return response.json().catch(() => ({ message: response.statusText }));
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.dataset.api) return;
  event.preventDefault();
  const result = form.querySelector(".form-result");
  const fill = (template) => {
    for (const input of form.querySelectorAll("[data-in-path]")) {
      template = template.replace(`{${input.name}}`, encodeURIComponent(input.value.trim()));
    }
    return template;
  };
  try {
    const response = await fetch(fill(form.dataset.api), {
      method: form.dataset.method || "POST",
      headers: headersFor(form, true),
      body: JSON.stringify(formBody(form)),
      credentials: "same-origin",
    });
    if (response.ok) {
      goTo(fill(form.dataset.next || window.location.pathname));
      return;
    }
    const error = await errorMessage(response);
    if (result) result.textContent = error.message || response.statusText;
  } catch (e) {
    if (result) result.textContent = String(e);
  }
});

// Goes to `next` after a change. A `next` that differs from this page by its #fragment only would merely scroll,
// showing the page as it was before the change, so the page is loaded again.
function goTo(next) {
  const target = new URL(next, window.location.href);
  const here = window.location;
  const samePage = target.pathname === here.pathname && target.search === here.search;
  window.location.assign(target.href);
  if (samePage && target.hash) window.location.reload();
}

// Forms marked data-upload send their fields as multipart (files included) to that URL, then go to data-next or
// reload; on failure the API's message is shown.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.dataset.upload) return;
  event.preventDefault();
  const result = form.querySelector(".form-result");
  try {
    const response = await fetch(form.dataset.upload, {
      method: "POST",
      headers: headersFor(form, false),
      body: new FormData(form),
      credentials: "same-origin",
    });
    if (response.ok) {
      goTo(form.dataset.next || window.location.pathname);
      return;
    }
    const error = await errorMessage(response);
    if (result) result.textContent = error.message || response.statusText;
  } catch (e) {
    if (result) result.textContent = String(e);
  }
});

// --- The annual report editor ---

const AMOUNT = /^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(\.\d+)?$/;

function checkValue(form, input) {
  const raw = input.value.trim();
  let message = "";
  if (raw !== "") {
    if (raw.startsWith("-") && AMOUNT.test(raw.slice(1))) message = input.dataset.signed ? "" : form.dataset.negative;
    else if (!AMOUNT.test(raw)) message = form.dataset.notNumber;
    else {
      const number = Number(raw.replaceAll(",", ""));
      if (input.dataset.count && !Number.isInteger(number)) message = form.dataset.whole;
      else if (input.dataset.share && number > 100) message = form.dataset.share;
    }
  }
  showFieldMessage(input, message);
  return message === "";
}

function showFieldMessage(input, message) {
  const slot = document.getElementById(`msg-${input.name}`);
  if (slot) slot.textContent = message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function valueInputs(form) {
  return [...form.querySelectorAll("input[name*='@']")];
}

document.addEventListener("input", (event) => {
  const form = event.target.closest("form.report-form");
  if (form && event.target.name && event.target.name.includes("@")) checkValue(form, event.target);
});

async function saveReport(form) {
  const inputs = valueInputs(form);
  const values = [];
  const sent = [];
  for (const input of inputs) {
    const raw = input.value.trim();
    // What this viewer does not enter (another division's figures, for a city or county team) stays as saved.
    if (raw === "" || input.readOnly) continue;
    const [element, area] = input.name.split("@");
    const value = { element, value: raw.replaceAll(",", "") };
    if (area !== "zone") value.division_code = area;
    values.push(value);
    sent.push(input);
  }
  const text = form.querySelector("[name=text]");
  const writes = text && !text.readOnly;
  // The plan's tasks: a status chosen for a task states its progress, with the evidence beside it.
  const progress = [];
  for (const select of form.querySelectorAll("[data-task-status]")) {
    if (!select.value) continue;
    const task = Number(select.dataset.taskStatus);
    const evidence = form.querySelector(`[data-task-evidence="${task}"]`);
    progress.push({ task, status: select.value, evidence: evidence ? evidence.value.trim() : "" });
  }
  const { key, year } = form.dataset;
  const response = await fetch(`/api/v1/zones/${key}/values/${year}`, {
    method: "PUT",
    headers: headersFor(form, true),
    body: JSON.stringify({
      values,
      text: writes ? text.value : undefined,
      progress: writes && form.querySelector("[data-task-status]") ? progress : undefined,
    }),
    credentials: "same-origin",
  });
  if (response.ok) {
    const report = await response.json();
    form.dataset.version = String(report.version);
    return { ok: true, report };
  }
  const error = await errorMessage(response);
  // "values[3]: ..." names the value the server refused: show it beside its input.
  const index = /^values\[(\d+)\]: (.*)$/.exec(error.message || "");
  if (index && sent[Number(index[1])]) showFieldMessage(sent[Number(index[1])], index[2]);
  const message = response.status === 409 && error.error === "conflict" ? form.dataset.stale : error.message;
  return { ok: false, message: message || response.statusText };
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList.contains("report-form")) return;
  event.preventDefault();
  const result = form.querySelector(".form-result");
  const all = valueInputs(form).map((input) => checkValue(form, input));
  if (all.includes(false)) {
    result.textContent = form.dataset.bad;
    return;
  }
  const submitting = event.submitter && event.submitter.name === "submit";
  try {
    const editable = valueInputs(form).some((input) => !input.readOnly) || !form.querySelector("[name=text]").readOnly;
    if (editable) {
      const saved = await saveReport(form);
      if (!saved.ok) {
        result.textContent = saved.message;
        return;
      }
      result.textContent = `${form.dataset.saved} ${saved.report.version}`;
    }
    if (!submitting) return;
    const { key, year } = form.dataset;
    const response = await fetch(`/api/v1/zones/${key}/reports/${year}/submit`, {
      method: "POST",
      headers: headersFor(form, false),
      credentials: "same-origin",
    });
    if (response.ok) {
      window.location.reload();
      return;
    }
    result.textContent = (await errorMessage(response)).message || response.statusText;
  } catch (e) {
    result.textContent = String(e);
  }
});

document.addEventListener("submit", async (event) => {
  const upload = event.target;
  if (!upload.classList.contains("report-upload")) return;
  event.preventDefault();
  const result = upload.querySelector(".form-result");
  const form = document.querySelector("form.report-form");
  const data = new FormData(upload);
  const { key, year } = upload.dataset;
  try {
    const response = await fetch(`/api/v1/zones/${key}/reports/${year}/template`, {
      method: "POST",
      headers: headersFor(upload, false),
      body: data,
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({ message: response.statusText }));
    if (response.ok) {
      for (const { input, value } of answer) {
        const field = form.querySelector(`[name="${CSS.escape(input)}"]`);
        if (field) {
          field.value = value;
          checkValue(form, field);
        }
      }
      result.textContent = `${answer.length} ✓`;
      return;
    }
    for (const cell of answer.cells || []) {
      const field = form.querySelector(`[name="${CSS.escape(cell.input)}"]`);
      if (field) {
        field.value = cell.value;
        showFieldMessage(field, cell.reason);
      }
    }
    result.textContent = answer.message || response.statusText;
  } catch (e) {
    result.textContent = String(e);
  }
});
