#!/bin/sh
# The include rules of ARCHITECTURE.md, checked (`make lint`): every quoted
# #include of every source folder is resolved to the folder that holds the
# header, and must be one the folder may include.  Exit 1 on a violation.
cd "$(dirname "$0")/.." || exit 2

# FOLDER=FOLDERS ITS FILES MAY INCLUDE (besides its own headers)
RULES="
sim=
experiment=sim
models=sim
models/queue=sim
models/scenario=sim,models
models/points=sim,models,models/scenario
analysis=sim,experiment,models,models/points
study=sim,experiment,models,models/scenario,models/points,analysis
cli=sim,experiment,models,models/queue,models/scenario,models/points,analysis,study
"
# Headers private to their folder (no file elsewhere includes them).
PRIVATE="
models/scenario/rf_scenario_diag.h
models/scenario/rf_scenario_tree.h
models/scenario/rf_scenario_schema.h
analysis/an_h5_base.h
analysis/an_h5_table.h
analysis/an_h5_network.h
analysis/an_h5_point.h
"
# One direction of calls inside the scenario loader:
# FILES (a glob) : HEADERS THEY MUST NOT INCLUDE
DIRECTION="
models/scenario/rf_scenario_diag.*:rf_scenario_tree.h rf_scenario_schema.h rf_trace.h
models/scenario/rf_scenario_tree.*:rf_scenario_schema.h rf_trace.h
models/scenario/rf_scenario_schema.*:rf_trace.h
"

folders=$(printf '%s\n' $RULES | sed 's/=.*//')
status=0
includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"; }
home_of() {
    for d in $folders; do
        [ -f "$d/$1" ] && { echo "$d"; return; }
    done
}

for rule in $RULES; do
    dir=${rule%%=*}
    allowed=" $dir $(echo "${rule#*=}" | tr , ' ') "
    for f in "$dir"/*.c "$dir"/*.h; do
        [ -f "$f" ] || continue
        for h in $(includes "$f"); do
            home=$(home_of "$h")
            if [ -z "$home" ]; then
                echo "$f: includes \"$h\", which no source folder holds"
                status=1
            elif ! echo "$allowed" | grep -q " $home "; then
                echo "$f: includes $home/$h, and $dir/ must never include $home/ (ARCHITECTURE.md)"
                status=1
            fi
        done
    done
done

for p in $PRIVATE; do
    h=${p##*/}
    own=${p%/*}
    for f in $(grep -rl --include='*.c' --include='*.h' "#include \"$h\"" $folders tests 2>/dev/null); do
        case $f in
        "$own"/*/*) ;;                  # a subfolder is elsewhere
        "$own"/*) continue ;;
        esac
        echo "$f: includes $h, private to $own/"
        status=1
    done
done

echo "$DIRECTION" | while IFS=: read -r glob banned; do
    [ -n "$glob" ] || continue
    for f in $glob; do
        [ -f "$f" ] || continue
        for h in $(includes "$f"); do
            case " $banned " in
            *" $h "*) echo "$f: includes $h: the scenario loader calls one way only (rf_scenario_diag.h)"
                      exit 1 ;;
            esac
        done
    done
done || status=1

[ $status = 0 ] && echo "lint: every folder keeps its include rules"
exit $status
