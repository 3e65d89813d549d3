// The upload form takes files dropped on it, as if chosen with its button; without this script
// the button alone works. No inline script: the Content-Security-Policy allows only this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("files");
  const hint = document.getElementById("drop-hint");
  if (!zone || !input) return;
  const label = hint ? hint.textContent : "";
  const show = () => {
    const names = Array.from(input.files, (file) => file.name);
    if (hint) hint.textContent = names.length ? names.join(", ") : label;
  };
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("dragging"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
});
