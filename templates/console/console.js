// The console's only script: copy buttons for a secret shown once. Without script the secret
// is still selectable in its read-only field; the buttons stay hidden.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = "Copied.";
    } catch {
      if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected text.";
    }
  });
});
