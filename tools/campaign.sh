#!/usr/bin/env bash
# Runs full-mode reproductions one after another at nice 19, one worker and one BLAS/numba
# thread, from a frozen copy of the source, so the campaign yields to other work on the
# machine and its results name the commit they came from.
#
#   tools/campaign.sh BASE QUEUE     BASE: a folder outside the repository (created);
#                                    QUEUE: a file with one reproduction name per line
#
# BASE/src is `git archive` of the repository's HEAD when it is first made (BASE/src/COMMIT);
# delete it to run a newer commit. Per reproduction: BASE/results/NAME.json (written only when
# the run exits 0), BASE/logs/NAME.{err,time,commit}. A finished result is skipped, so the same
# command resumes a queue; studies resume from their stores under BASE/runs. Collect finished
# results into data/reproductions with tools/collect_reproductions.py.
set -uo pipefail
base=$(realpath -m "$1"); queue=$(realpath "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$base/results" "$base/logs" "$base/runs"
if [ ! -f "$base/src/COMMIT" ]; then
    mkdir -p "$base/src"
    git -C "$repo" archive HEAD | tar -x -C "$base/src"
    git -C "$repo" rev-parse HEAD > "$base/src/COMMIT"
fi
commit=$(cat "$base/src/COMMIT")
export PYTHONPATH="$base/src/src" MPLBACKEND=Agg OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1
cd "$base"
while read -r name; do
    [ -z "$name" ] || [ -f "results/$name.json" ] && continue
    echo "$(date -Is) start $name ($commit)" >> logs/campaign.log
    echo "$commit" > "logs/$name.commit"
    /usr/bin/time -v -o "logs/$name.time" nice -n 19 python3 -m mbl reproduce "$name" --json \
        --workers 1 --out runs > "results/$name.json.part" 2> "logs/$name.err"
    rc=$?
    if [ $rc = 0 ]; then mv "results/$name.json.part" "results/$name.json"; fi
    echo "$(date -Is) end $name rc=$rc" >> logs/campaign.log
done < "$queue"
