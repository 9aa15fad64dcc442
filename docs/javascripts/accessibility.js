// Material's search dialog has role="dialog" but no name; screen readers announce it as "搜索".
document.querySelector(".md-search[role=dialog]")?.setAttribute("aria-label", "搜索");
// Long outputs scroll inside their block: keyboard users must be able to reach them.
// (Material already does this for code blocks that scroll sideways.)
for (const output of document.querySelectorAll(".snippet-output pre")) {
  output.setAttribute("tabindex", "0");
}
