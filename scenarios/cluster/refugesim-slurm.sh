# shellcheck shell=bash disable=SC2034
# (SC2034: SCENARIO, OUT and SWEEP are set for the script that sources this)
# refugesim-slurm.sh: what sweep.sbatch and sweep-array.sbatch share.
# Sourced (not run) by them once they have found the directory it is in.
#
#   rs_args ARGS...        split the job's arguments: SCENARIO, SWEEP, OUT
#   rs_program NAME        the program to run (REFUGESIM, beside the checkout, PATH)
#   rs_run OUT CMD...      run a sweep writing OUT so that a SIGTERM before the
#                          time limit checkpoints it and the job requeues itself
#   rs_grid_points ARGS... the number of points the --vary options make
#
# Paths: the job runs in the directory sbatch was called from
# (SLURM_SUBMIT_DIR), so relative paths in the arguments are the
# submitter's; the checkout (or PREFIX/share/refugesim of an install) is
# RS_HOME, two levels above this file.

RS_HOME=$(cd "$RS_HERE/../.." && pwd)
cd "${SLURM_SUBMIT_DIR:-$PWD}" || exit 2

rs_say() { echo "refugesim-slurm: $*" >&2; }

# The scenario is the first argument unless it is an option; -o FILE sets
# OUT; --resume is the script's to add; everything else goes to the sweep:
# in SWEEP instead of the script's own --vary when it has one, else after
# them.
rs_args() {
    SWEEP_ARGS=()
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        SCENARIO=$1
        shift
    fi
    while [ $# -gt 0 ]; do
        case $1 in
            -o | --output)
                [ $# -ge 2 ] || { rs_say "error: $1 needs a file name"; exit 2; }
                OUT=$2
                shift
                ;;
            --output=*) OUT=${1#--output=} ;;
            -o?*) OUT=${1#-o} ;;
            --resume) ;;
            *) SWEEP_ARGS+=("$1") ;;
        esac
        shift
    done
    local a
    for a in "${SWEEP_ARGS[@]}"; do
        if [ "${a#--vary}" != "$a" ]; then
            SWEEP=("${SWEEP_ARGS[@]}")
            return
        fi
    done
    SWEEP+=("${SWEEP_ARGS[@]}")
}

rs_program() {
    local name=$1 p
    for p in "${REFUGESIM:-}" "$RS_HOME/$name" "$RS_HOME/../../bin/$name" \
        "$(command -v "$name" 2>/dev/null)"; do
        if [ -n "$p" ] && [ -x "$p" ]; then
            echo "$p"
            return 0
        fi
    done
    rs_say "error: $name is not in $RS_HOME, $RS_HOME/../../bin or PATH: build it there" \
        "(make${name#refugesim}) or set REFUGESIM=/path/to/$name"
    return 1
}

# Points of the grid, as refugesim counts them (models/rf_sweep.c): a range
# from:to:step has floor((to - from) / step + 1e-9) + 1 values, a list a,b,c
# one per item; the grid is the product.
rs_grid_points() {
    local n=1 prev="" a spec
    for a in "$@"; do
        spec=""
        if [ "$prev" = --vary ]; then
            spec=${a#*=}
        elif [ "${a#--vary=}" != "$a" ]; then
            spec=${a#--vary=}
            spec=${spec#*=}
        fi
        prev=$a
        [ -n "$spec" ] || continue
        n=$(awk -v n="$n" -v s="$spec" 'BEGIN {
                if (index(s, ":")) { split(s, p, ":"); c = int((p[2] - p[1]) / p[3] + 1e-9) + 1 }
                else c = split(s, q, ",")
                printf "%d\n", n * c }')
    done
    echo "$n"
}

RS_TERM=0
RS_PID=""
rs_on_term() {
    RS_TERM=1
    rs_say "SIGTERM (the time limit is near, or scancel): checkpointing"
    [ -n "$RS_PID" ] && kill -TERM "$RS_PID" 2>/dev/null
}

# rs_run OUT CMD...: CMD writes the sweep file OUT.  Adds --resume when
# OUT's checkpoints exist.  Runs CMD in the background, because bash runs a
# trap only between commands: `wait` returns at once on SIGTERM, the trap
# passes the signal on (srun and mpirun forward it to every rank; the sweep
# lets the tasks in progress finish, writes what is complete and exits 1),
# and the job is requeued to resume from the checkpoints.  Returns CMD's
# exit status, or 0 once the job is requeued.
rs_run() {
    local out=$1 st=0
    shift
    local cmd=("$@")
    if [ -d "$out.ckpt" ]; then
        cmd+=(--resume)
    elif [ -e "$out" ] && [ "${SLURM_RESTART_COUNT:-0}" -gt 0 ]; then
        rs_say "$out is complete (finished before the job was requeued)"
        return 0
    fi
    trap rs_on_term TERM
    rs_say "${cmd[*]}"
    "${cmd[@]}" &
    RS_PID=$!
    [ "$RS_TERM" = 1 ] && kill -TERM "$RS_PID" 2>/dev/null   # TERM came before the pid
    while :; do
        st=0
        wait "$RS_PID" || st=$?
        kill -0 "$RS_PID" 2>/dev/null || break   # wait was cut short by the trap
    done
    trap - TERM
    RS_PID=""
    if [ "$st" -eq 1 ] && [ "$RS_TERM" = 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
        local n=${SLURM_RESTART_COUNT:-0}
        if [ "$n" -ge "${RS_MAX_REQUEUES:-20}" ]; then
            rs_say "requeued $n times already (RS_MAX_REQUEUES): resubmit it to go on"
            return "$st"
        fi
        rs_say "requeueing job $SLURM_JOB_ID: it resumes from $out.ckpt/"
        scontrol requeue "$SLURM_JOB_ID" && return 0
        rs_say "scontrol requeue failed: resubmit the same job to resume"
    fi
    return "$st"
}
