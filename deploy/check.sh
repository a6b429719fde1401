#!/usr/bin/env bash
# Validates deploy/ against the published schemas, offline once the validators are installed:
# the compose files against the compose specification, the Kubernetes manifests (strictly: no
# unknown fields) against Kubernetes 1.37's. Run by .ci/run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${LANYARD_DEPLOY_VENV:-$HOME/.cache/lanyard-deploy-venv}"
if [ ! -x "$venv/bin/check-jsonschema" ] || [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
"$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$here"/compose*.yaml
"$venv/bin/kubernetes-validate" --strict --kubernetes-version 1.37.0 "$here"/k8s/*.yaml
echo "deploy: compose files and Kubernetes manifests are valid"
