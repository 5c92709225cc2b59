// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk-frontend/govuk-frontend.min.js";

initAll();

// Take a contact: likely matches among existing people appear as the details are typed. Without JavaScript the
// "Check for existing records" button does the same. The form is posted as that button would post it (action=check,
// marked as a background request), and the server answers with the matches only, which replace the polite live
// region: a screen reader hears the new matches without losing its place, and focus never moves.
const IDENTITY = /^(given_name|family_name|date_of_birth_(day|month|year)|nhs_number|address_line|postcode)$/;
const WAIT_MS = 400;

function enoughToMatch(form) {
  const value = (name) => (form.elements.namedItem(name)?.value || "").trim();
  const digits = value("nhs_number").replace(/\D/g, "");
  const born = ["day", "month", "year"].every((part) => value(`date_of_birth_${part}`)) && value("date_of_birth_year").length === 4;
  return value("family_name").length >= 2 || digits.length === 10 || born || value("postcode").length >= 5;
}

function liveMatches(form) {
  const region = form.querySelector("#matches-region");
  if (!region) return;
  let timer = null;
  let latest = 0;
  const check = async () => {
    if (!enoughToMatch(form)) return;
    const body = new FormData(form);
    body.set("action", "check");
    const asked = ++latest;
    try {
      // form.action would be the buttons named "action": read the attribute.
      const response = await fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body,
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      if (!response.ok || asked !== latest) return; // a later check is on its way: keep only the newest answer
      region.innerHTML = await response.text();
      initAll({ scope: region });
    } catch {
      // Offline or refused: the button still checks.
    }
  };
  form.addEventListener("input", (event) => {
    if (!IDENTITY.test(event.target.name || "")) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(check, WAIT_MS);
  });
}

document.querySelectorAll("form[data-live-matches]").forEach(liveMatches);
