#!/usr/bin/env bash
# System packages for PDF export and previews (LibreOffice, poppler) and for drawing text that the
# renderer measured: the Calibri/Cambria/Arial metric-compatible fonts, Japanese and Arabic fonts;
# bubblewrap, which confines LibreOffice (no network, no files but its own).
# Idempotent and quick when everything is present; needs root (or passwordless sudo) otherwise.
set -euo pipefail

packages=(libreoffice-impress poppler-utils bubblewrap fonts-crosextra-carlito fonts-crosextra-caladea
          fonts-liberation2 fonts-noto-cjk fonts-noto-core)

have_everything() {
  local tool
  for tool in soffice pdftoppm pdfinfo pdftotext fc-list bwrap; do
    command -v "$tool" >/dev/null || return 1
  done
  # Read fc-list whole: `fc-list | grep -q` would die of SIGPIPE under pipefail. The CJK and Arabic
  # families are the ones the renderer names in the file (ea/cs), so any other font will not do.
  local fonts
  fonts="$(fc-list : family 2>/dev/null || true)"
  [[ "$fonts" == *Carlito* && "$fonts" == *Caladea* && "$fonts" == *"Liberation Sans"* &&
     "$fonts" == *"Noto Sans CJK JP"* && "$fonts" == *"Noto Sans Arabic"* ]]
}

if have_everything; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  # sudo drops the environment; debconf must still not ask.
  as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
  echo "system-deps: not root and no sudo: PDF export and previews stay off." >&2
  echo "system-deps: install them with: apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 0
fi

echo "system-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
# Straight to the install when the package lists are fresh; a missing or stale list (a new machine,
# a superseded version) fails it, and it is retried after an update.
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
have_everything || { echo "system-deps: installed, but a tool or font is still missing" >&2; exit 1; }
echo "system-deps: done in ${SECONDS} s"
