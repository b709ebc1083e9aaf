#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots Debian's newest 6.12 cloud kernel under TCG with configs/quick.conf and
# checks the report (tests/guest/lib.sh: debian_suite). 6.12 has the vma_lock cache.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
debian_suite debian:6.12 1
