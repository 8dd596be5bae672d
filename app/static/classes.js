// Class page: copy the join link with one press (the link stays selectable without scripts).
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = button.closest(".field").querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied.";
    } catch {
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  });
});
