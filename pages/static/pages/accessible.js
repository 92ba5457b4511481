// What DRF's rest_framework/base.html has no block for, for screen readers (WCAG 2: 3.1.1, 4.1.2):
// the page's language, and a name for the format menu's button, whose title Bootstrap's tooltip takes away.
document.documentElement.lang = document.documentElement.lang || "en";
for (const button of document.querySelectorAll("button.dropdown-toggle:not([aria-label])")) {
  button.setAttribute("aria-label", button.dataset.originalTitle || button.title || "More formats");
}
