#!/usr/bin/env bash
# Rebuild the JupyterLab extension into jupyter_coding/labextension/ (committed, shipped in the wheel).
# Needs node and npm, and JupyterLab 4 installed in the active Python (for its core package versions).
#   bash labextension/build.sh
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent
npx tsc
core="$(python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')"
rm -rf ../jupyter_coding/labextension
node node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path "$core" .
echo "built ../jupyter_coding/labextension; reinstall the package (pip install -e .) to install it"
