#!/usr/bin/env bash
# The main job: lock and build the python image, then scan, test and compare it.
set -euo pipefail
cd "$(dirname "$0")/.."
ironclad() { node bin/ironclad.js "$@"; }

ironclad lock images/python --platform linux/amd64,linux/arm64
