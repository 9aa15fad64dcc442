// Material's search dialog has role="dialog" but no name; screen readers announce it as "搜索".
document.querySelector(".md-search[role=dialog]")?.setAttribute("aria-label", "搜索");
// Long outputs scroll inside their block: keyboard users must be able to reach them.
// (Material already does this for code blocks that scroll sideways.)
for (const output of document.querySelectorAll(".snippet-output pre")) {
  output.setAttribute("tabindex", "0");
}
// A name in code links to its API page; hovering or focusing it shows its signature (Material's tooltip).
// A touch screen cannot hover: there the first tap on a name shows the signature, a second tap follows the
// link. (A tap focuses the link before its click arrives: what had the focus is noted as the tap begins.)
let focusedBeforeTap = null;
document.addEventListener("pointerdown", () => (focusedBeforeTap = document.activeElement), true);
document.addEventListener(
  "click",
  (event) => {
    const link = event.target instanceof Element && event.target.closest("a.api-link");
    if (link && matchMedia("(hover: none)").matches && focusedBeforeTap !== link) {
      event.preventDefault();
      link.focus();
    }
  },
  true,
);
// Material's tooltips (content.tooltips) move a title into the tooltip as the pointer or the focus reaches
// it, and remove the title: an icon button (the copy button) would be left without a name. It keeps the
// title as its name; a link with text (a name in code) keeps its text, and the tooltip describes it.
const keepTheName = (event) => {
  const titled = event.target instanceof Element && event.target.closest("[title]");
  if (titled && !titled.hasAttribute("aria-label") && !titled.textContent.trim()) {
    titled.setAttribute("aria-label", titled.title);
  }
};
for (const type of ["mouseover", "focus", "pointerdown"]) {
  window.addEventListener(type, keepTheName, true);
}
