// Forms marked data-api post their fields to the JSON API: a field "a.b" becomes {a: {b: ...}}, data-type="number"
// sends a number, data-type="declaration" a checked box as false (no conflict declared). Cookie sessions repeat the
// form's data-csrf in X-CSRF-Token; data-version, the version the page was made from, goes in If-Match so that a
// stale page cannot overwrite a newer change (the API answers 409 and the message is shown). On success the page goes to data-next; on failure the API's message is shown.
"use strict";
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.dataset.api) return;
  event.preventDefault();
  const body = {};
  for (const input of form.querySelectorAll("[name]")) {
    let value = input.value;
    if (input.dataset.type === "number") value = Number(value);
    if (input.dataset.type === "declaration") value = !input.checked;
    const path = input.name.split(".");
    let target = body;
    for (const key of path.slice(0, -1)) target = target[key] = target[key] || {};
    target[path[path.length - 1]] = value;
  }
  const headers = { "Content-Type": "application/json" };
  if (form.dataset.csrf) headers["X-CSRF-Token"] = form.dataset.csrf;
  if (form.dataset.version) headers["If-Match"] = `"${form.dataset.version}"`;
  const result = form.querySelector(".form-result");
  try {
    const response = await fetch(form.dataset.api, {
      method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin",
    });
    if (response.ok) {
      window.location.assign(form.dataset.next || window.location.pathname);
      return;
    }
    const error = await response.json().catch(() => ({ message: response.statusText }));
    if (result) result.textContent = error.message || response.statusText;
  } catch (e) {
    if (result) result.textContent = String(e);
  }
});
