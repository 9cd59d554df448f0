#include "sim_farm.h"
#include "sim_status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef RS_HAVE_MPI
#include <mpi.h>
#endif

static int serial_run(size_t n_tasks, size_t out_size, const unsigned char *skip,
                      sim_task_fn fn, sim_task_done_fn done, void *user,
                      volatile sig_atomic_t *stop)
{
    void *out = malloc(out_size ? out_size : 1);
    if (!out)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    for (size_t t = 0; t < n_tasks && rc == SIM_OK; t++) {
        if (skip && skip[t])
            continue;
        if (stop && *stop) {
            rc = SIM_EINTR;
            break;
        }
        int st = fn(user, t, out);
        if (done)
            done(user, t, st, out);
        if (st != SIM_OK)
            rc = st;
    }
    free(out);
    return rc;
}

#ifndef RS_HAVE_MPI

int sim_farm_init(int *argc, char ***argv) { (void)argc, (void)argv; return SIM_OK; }
void sim_farm_finalize(void) {}
int sim_farm_rank(void) { return 0; }
int sim_farm_size(void) { return 1; }
void sim_farm_abort(int code) { exit(code); }
int sim_farm_bcast_int(int value) { return value; }
int sim_farm_bcast_bytes(void *data, size_t n) { (void)data, (void)n; return SIM_OK; }

int sim_farm_run(size_t n_tasks, size_t out_size, const unsigned char *skip, sim_task_fn fn,
                 sim_task_done_fn done, void *user, volatile sig_atomic_t *stop)
{
    return serial_run(n_tasks, out_size, skip, fn, done, user, stop);
}

#else

enum { TAG_TASK = 1, TAG_RESULT = 2 };
static const uint64_t NO_MORE = UINT64_MAX;

/* A result message: this header, then out_size bytes. */
typedef struct {
    uint64_t task;
    int64_t status;
} header;

int sim_farm_init(int *argc, char ***argv)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return SIM_EIO;
    return provided >= MPI_THREAD_FUNNELED ? SIM_OK : SIM_EIO;
}

void sim_farm_finalize(void)
{
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
}

int sim_farm_rank(void)
{
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int sim_farm_size(void)
{
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

void sim_farm_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int sim_farm_bcast_int(int value)
{
    MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return value;
}

int sim_farm_bcast_bytes(void *data, size_t n)
{
    unsigned char *p = data;
    while (n > 0) {                      /* MPI counts are ints */
        int part = n > (size_t)INT32_MAX ? INT32_MAX : (int)n;
        if (MPI_Bcast(p, part, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return SIM_EIO;
        p += part;
        n -= (size_t)part;
    }
    return SIM_OK;
}

static int send_task(uint64_t task, int worker)
{
    return MPI_Send(&task, 1, MPI_UINT64_T, worker, TAG_TASK, MPI_COMM_WORLD) == MPI_SUCCESS
               ? SIM_OK : SIM_EIO;
}

static int master(size_t n_tasks, size_t out_size, const unsigned char *skip,
                  sim_task_done_fn done, void *user, volatile sig_atomic_t *stop, int size)
{
    size_t msg_size = sizeof(header) + out_size;
    unsigned char *msg = malloc(msg_size);
    if (!msg)
        return SIM_ENOMEM;
    size_t next = 0;
    int busy = 0, rc = SIM_OK;
    /* Prime every worker with one task (or tell it there is none). */
    for (int w = 1; w < size; w++) {
        while (next < n_tasks && skip && skip[next])
            next++;
        if (next < n_tasks && !(stop && *stop)) {
            if (send_task(next++, w))
                rc = SIM_EIO;
            else
                busy++;
        } else if (send_task(NO_MORE, w)) {
            rc = SIM_EIO;
        }
    }
    while (busy > 0) {
        MPI_Status st;
        if (MPI_Recv(msg, (int)msg_size, MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
                     &st) != MPI_SUCCESS) {
            rc = SIM_EIO;
            break;
        }
        busy--;
        header h;
        memcpy(&h, msg, sizeof h);
        if (done)
            done(user, (size_t)h.task, (int)h.status, msg + sizeof h);
        if (h.status != SIM_OK && rc == SIM_OK)
            rc = (int)h.status;
        while (next < n_tasks && skip && skip[next])
            next++;
        if (next < n_tasks && rc == SIM_OK && !(stop && *stop)) {
            if (send_task(next++, st.MPI_SOURCE) == SIM_OK)
                busy++;
        } else {
            send_task(NO_MORE, st.MPI_SOURCE);
        }
    }
    if (rc == SIM_OK && stop && *stop) {
        for (; next < n_tasks; next++)
            if (!(skip && skip[next])) {
                rc = SIM_EINTR;
                break;
            }
    }
    free(msg);
    return rc;
}

static int worker(size_t out_size, sim_task_fn fn, void *user)
{
    size_t msg_size = sizeof(header) + out_size;
    unsigned char *msg = malloc(msg_size);
    if (!msg)
        return SIM_ENOMEM;
    for (;;) {
        uint64_t task;
        if (MPI_Recv(&task, 1, MPI_UINT64_T, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
            != MPI_SUCCESS) {
            free(msg);
            return SIM_EIO;
        }
        if (task == NO_MORE)
            break;
        header h = {task, fn(user, (size_t)task, msg + sizeof h)};
        memcpy(msg, &h, sizeof h);
        if (MPI_Send(msg, (int)msg_size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD) != MPI_SUCCESS) {
            free(msg);
            return SIM_EIO;
        }
    }
    free(msg);
    return SIM_OK;
}

int sim_farm_run(size_t n_tasks, size_t out_size, const unsigned char *skip, sim_task_fn fn,
                 sim_task_done_fn done, void *user, volatile sig_atomic_t *stop)
{
    int size = sim_farm_size();
    if (size == 1)
        return serial_run(n_tasks, out_size, skip, fn, done, user, stop);
    if (sizeof(header) + out_size > (size_t)INT32_MAX)
        return SIM_ERANGE;
    return sim_farm_rank() == 0 ? master(n_tasks, out_size, skip, done, user, stop, size)
                                : worker(out_size, fn, user);
}

#endif
