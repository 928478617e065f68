#!/usr/bin/env bash
# The main job: lock and build the hardened python image, run it, test it, scan it, and compare it with a
# conventional python image built from the same archive.
set -euo pipefail
cd "$(dirname "$0")/.."
ironclad() { node bin/ironclad.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "lock images/python (linux/amd64, linux/arm64): what moved in the verified archive since the committed lock"
# --check exits 1 and lists the moved packages when the archive has moved on since the lock was committed;
# anything above 1 (untrusted archive, network) stops the job.
rc=0
ironclad lock images/python --platform linux/amd64,linux/arm64 --variant runtime --check || rc=$?
[ "$rc" -le 1 ] || exit "$rc"
ironclad lock images/python --platform linux/amd64,linux/arm64 --variant runtime >/dev/null

step "build python (runtime, both platforms)"
ironclad build images/python

step "run it with runc"
ironclad run python:3.11 -- python3 -c "import os, ssl; print('hello from', os.getuid(), ssl.OPENSSL_VERSION)"

step "vulnerability database"
osv=../shared/data/osv-debian-2025-02-12.tar.xz
if [ -f "$osv" ]; then ironclad db import "$osv"; else ironclad db update; fi
ironclad db status || true

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
