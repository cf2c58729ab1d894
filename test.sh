#!/usr/bin/env bash
# ProdFlash: install what the tests need, restore, build, run every test project.
# Ends with one line "N passed, N failed, N skipped"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

# 1. Debian packages the tests start (see .ci/debian-packages.txt).
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' .ci/debian-packages.txt | grep -v '^$' | awk '{print $1}')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "test.sh: apt-get could not install ${missing[*]}; tests that need them will fail under CI=true" >&2
  else
    echo "test.sh: missing Debian packages ${missing[*]} and not root; install them with: sudo apt-get install ${missing[*]}" >&2
  fi
fi

# 2. Restore and build everything once.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! dotnet restore ProdFlash.sln --nologo -v q; then
  echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
if ! dotnet build ProdFlash.sln --no-restore -c Release --nologo -v q -clp:ErrorsOnly; then
  echo "0 passed, 1 failed, 0 skipped"; exit 1
fi

# 3. Run every test project, one after the other, and add up the TRX counters.
results="$root/TestResults"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; status=0
for proj in tests/*/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  dotnet test --project "$proj" --no-build -c Release --no-progress \
    --results-directory "$results" --report-xunit-trx --report-xunit-trx-filename "$name.trx" || status=1
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "test.sh: $name produced no results (crashed or did not start)" >&2
    failed=$((failed + 1)); status=1; continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get error)
  t=${t:-0}; p=${p:-0}; f=${f:-0}; e=${e:-0}
  passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + t - p - f - e))
done
# 4. The house style (.editorconfig) holds: one more check, counted like a test.
echo "== dotnet format --verify-no-changes"
if dotnet format ProdFlash.sln --no-restore --verify-no-changes -v q; then
  passed=$((passed + 1))
else
  echo "test.sh: code style differs from .editorconfig; run 'dotnet format ProdFlash.sln' and commit" >&2
  failed=$((failed + 1))
fi

((failed > 0)) && status=1
# 5. Name every failed test with the start of its message, right above the summary, so the tail of a CI log says
#    what failed without the TRX files (perl-base is part of every Debian system).
if ((failed > 0)); then
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    perl -0777 -ne 'while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(?:Failed|Error)"[^>]*>(.*?)<\/UnitTestResult>/gs) {
        my ($n, $b) = ($1, $2); my ($m) = $b =~ /<Message>(.*?)<\/Message>/s; $m //= ""; $m =~ s/\s+/ /g;
        for ($n, $m) { s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&apos;/\x27/g; s/&amp;/&/g; }
        print "FAILED $n\n    ", substr($m, 0, 600), "\n"; }' "$trx"
  done
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
