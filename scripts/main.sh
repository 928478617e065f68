#!/usr/bin/env bash
# The main job: update the hardened python image (re-lock against the verified archive, rebuild and test what
# moved), run it, test it, scan it, and compare it with a conventional python image built from the same archive.
set -euo pipefail
cd "$(dirname "$0")/.."
ironclad() { node bin/ironclad.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "vulnerability database"
osv=../shared/data/osv-debian-2025-02-12.tar.xz
if [ -f "$osv" ]; then ironclad db import "$osv"; else ironclad db update; fi
ironclad db status || true

step "update python (runtime, both platforms): what moved in the verified archive since the committed lock"
# The maintenance loop: re-lock against the verified archive, list the packages that moved and the CVEs that
# fixes, rebuild and test only when the lock moved or the image is not in the store, then write the lock.
# Exit 1 is a failed test; 3 an untrusted archive; 4 the network. An archive that moved on is not an error.
ironclad update images/python --variant runtime

step "run it with runc"
ironclad run python:3.11 -- python3 -c "import os, ssl; print('hello from', os.getuid(), ssl.OPENSSL_VERSION)"

step "test: standards checks and functional tests, CTRF report"
mkdir -p out
ironclad test images/python --ctrf out/python.ctrf.json

step "scan python:3.11"
ironclad scan python:3.11 || true

step "SBOM of python:3.11"
ironclad sbom python:3.11 --format table | tail -n 5
ironclad sbom python:3.11 --format spdx-json -o out/python.spdx.json

step "build the conventional reference (python:3.11-bookworm's package set)"
ironclad lock images/reference/python-conventional >/dev/null
ironclad build images/reference/python-conventional | tail -n 4

step "compare python:3.11 --to the conventional image"
ironclad compare python:3.11 --to python-conventional:3.11-conventional --ignore-unchanged
