#!/usr/bin/env bash
# System packages for PDF export and previews (LibreOffice, poppler) and for drawing text that the
# renderer measured: the Calibri/Cambria/Arial metric-compatible fonts, Japanese and Arabic fonts.
# Idempotent and quick when everything is present; needs root (or passwordless sudo) otherwise.
set -euo pipefail

packages=(libreoffice-impress poppler-utils fonts-crosextra-carlito fonts-crosextra-caladea
          fonts-liberation2 fonts-noto-cjk fonts-noto-core)

have_everything() {
  command -v soffice >/dev/null && command -v pdftoppm >/dev/null && command -v pdfinfo >/dev/null ||
    return 1
  # Read fc-list whole: `fc-list | grep -q` would die of SIGPIPE under pipefail.
  local fonts japanese
  fonts="$(fc-list 2>/dev/null || true)"
  japanese="$(fc-list :lang=ja 2>/dev/null || true)"
  [[ "$fonts" == *Carlito* && "$fonts" == *Caladea* && "$fonts" == *"Noto Sans Arabic"* && -n "$japanese" ]]
}

if command -v fc-list >/dev/null && have_everything; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "system-deps: not root and no sudo: PDF export and previews stay off." >&2
  echo "system-deps: install them with: apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 0
fi

echo "system-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
have_everything || { echo "system-deps: installed, but a tool or font is still missing" >&2; exit 1; }
