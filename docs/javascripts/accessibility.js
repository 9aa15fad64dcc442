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
