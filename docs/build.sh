#!/usr/bin/env bash
# `make docs`: the docs site of the collection, built offline. antsibull-docs renders every module, the callback, the
# roles (from meta/argument_specs.yml) and the guides of docs/docsite/ to RST; Sphinx makes HTML in
# docs/build/html. Only installing .venv-docs (docs/requirements.txt, by this script) needs the network.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/venv.sh .venv-docs 3.12 docs/requirements.txt
export PATH="$repo/.venv-docs/bin:$PATH"

collections=$(python scripts/devenv.py collections)
for name in $(env | grep -oE '^ANSIBLE_[A-Z0-9_]*'); do unset "$name"; done
export ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck "$collections/ansible_collections/oncall/pagerduty"

site="$repo/docs/build/site"
rm -rf "$repo/docs/build"
mkdir -p "$site"
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$site" \
  --project "oncall.pagerduty" --copyright "oncall.pagerduty contributors" \
  --title "oncall.pagerduty: PagerDuty for Ansible" --html-short-title "oncall.pagerduty" \
  oncall.pagerduty >/dev/null
# Offline: no intersphinx inventories are fetched.
printf '\n# Built offline by docs/build.sh: no intersphinx inventories.\nintersphinx_mapping = {}\n' >> "$site/conf.py"
mkdir -p "$site/rst"
chmod og-w "$site/rst"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --cleanup everything --fail-on-error \
  --use-current --squash-hierarchy --dest-dir "$site/rst" oncall.pagerduty
# The pages refer to a few labels of Ansible's own docsite, normally resolved by intersphinx (network). Offline,
# one local page holds those labels and links to docs.ansible.com, so every reference resolves and -W stays on.
cat > "$site/rst/ansible_references.rst" <<'RST'
:orphan:

Ansible documentation
=====================

These pages of Ansible's own documentation are referred to from this site.

.. _ansible_configuration_settings:

Ansible configuration settings
------------------------------

https://docs.ansible.com/ansible/latest/reference_appendices/config.html

.. _callback_plugins:

Callback plugins
----------------

https://docs.ansible.com/ansible/latest/plugins/callback.html

.. _common_return_values:

Return values common to all modules
-----------------------------------

https://docs.ansible.com/ansible/latest/reference_appendices/common_return_values.html
RST
sphinx-build -M html "$site/rst" "$site/build" -c "$site" -q -W --keep-going
mv "$site/build/html" "$repo/docs/build/html"
echo "docs: $repo/docs/build/html/index.html"
