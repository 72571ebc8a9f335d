#!/usr/bin/env bash
# Prints shapes.txt (all rows, or those named in the arguments) as bench.cpp's argument:
# "name:N,C,H,W,K,R,S,stride,stride,pad;...".
set -euo pipefail
awk -v names=" $* " 'NF && $1 !~ /^#/ && (names == "  " || index(names, " " $1 " ")) {
  printf "%s%s:%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", sep, $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10; sep = ";" }' \
  "$(dirname "$0")/shapes.txt"
