#include "sim_farm.h"
#include "sim_status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef RS_HAVE_MPI
#include <mpi.h>
#endif

static double farm_timeout = SIM_FARM_TIMEOUT;
static int timed_out, silent = -1;

double sim_farm_timeout(void) { return farm_timeout; }

int sim_farm_timed_out(int *silent_rank)
{
    if (silent_rank)
        *silent_rank = silent;
    return timed_out;
}

static int read_timeout(void)
{
    const char *v = getenv("REFUGESIM_MPI_TIMEOUT");
    if (!v || !*v)
        return SIM_OK;
    char *end;
    double t = strtod(v, &end);
    if (*end || !(t >= 0) || t > 1e9)
        return SIM_EINVAL;
    farm_timeout = t;
    return SIM_OK;
}

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

int sim_farm_init(int *argc, char ***argv) { (void)argc, (void)argv; return read_timeout(); }
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
    if (read_timeout() != SIM_OK)
        return SIM_EINVAL;
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

static int wait_request(MPI_Request *r, int peer);

int sim_farm_bcast_int(int value)
{
    MPI_Request r;
    if (MPI_Ibcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD, &r) != MPI_SUCCESS)
        return SIM_EIO;
    int rc = wait_request(&r, sim_farm_rank() == 0 ? -1 : 0);
    return rc == SIM_OK ? value : rc;
}

int sim_farm_bcast_bytes(void *data, size_t n)
{
    unsigned char *p = data;
    while (n > 0) {                      /* MPI counts are ints */
        int part = n > (size_t)INT32_MAX ? INT32_MAX : (int)n;
        MPI_Request r;
        if (MPI_Ibcast(p, part, MPI_BYTE, 0, MPI_COMM_WORLD, &r) != MPI_SUCCESS)
            return SIM_EIO;
        int rc = wait_request(&r, sim_farm_rank() == 0 ? -1 : 0);
        if (rc != SIM_OK)
            return rc;
        p += part;
        n -= (size_t)part;
    }
    return SIM_OK;
}

/* Waiting without a busy core: Open MPI's blocking calls poll the network
 * flat out, so a rank with nothing to do would take a core from one that
 * has.  These test, then sleep a little: a result or a task is noticed
 * within WAIT_NS, which is nothing against a task of milliseconds. */
#define WAIT_NS 100000L

static void nap(void)
{
    struct timespec ts = {0, WAIT_NS};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Waited since `since` for rank peer (-1: any of a broadcast's) beyond the
 * limit: SIM_ETIMEDOUT, remembered for sim_farm_timed_out. */
static int overdue(double since, int peer)
{
    if (farm_timeout <= 0 || now_s() - since <= farm_timeout)
        return SIM_OK;
    timed_out = 1;
    silent = peer;
    return SIM_ETIMEDOUT;
}

static int wait_request(MPI_Request *r, int peer)
{
    double t0 = now_s();
    for (;;) {
        int flag = 0;
        if (MPI_Test(r, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return SIM_EIO;
        if (flag)
            return SIM_OK;
        if (overdue(t0, peer))
            return SIM_ETIMEDOUT;
        nap();
    }
}

static int send_task(uint64_t task, int worker)
{
    return MPI_Send(&task, 1, MPI_UINT64_T, worker, TAG_TASK, MPI_COMM_WORLD) == MPI_SUCCESS
               ? SIM_OK : SIM_EIO;
}

/* Tasks a worker holds (running or queued) at most: one to run and three
 * to start at once while rank 0 is busy with a task of its own and the
 * points it finishes (writing a county point takes about as long as a
 * task: with two, a worker of `mpirun -n 2` sat idle for 1.9 s of a 4.2 s
 * sweep; with four the sweep is 1.69x one rank's speed, was 1.60x). */
#define DEPTH 4

typedef struct {
    size_t n_tasks, out_size, msg_size, next;
    const unsigned char *skip;
    sim_task_fn fn;
    sim_task_done_fn done;
    void *user;
    volatile sig_atomic_t *stop;
    int size, rc;
    int *inflight, *told;                /* per worker */
    double *last;                        /* per worker: its last result, or the task that
                                            ended its idleness */
    unsigned char *bufs;                 /* per worker: the result being received */
    MPI_Request *recv;
} master_state;

static int more_tasks(master_state *m)
{
    while (m->next < m->n_tasks && m->skip && m->skip[m->next])
        m->next++;
    return m->next < m->n_tasks && m->rc == SIM_OK && !(m->stop && *m->stop);
}

/* Keep worker w supplied: up to DEPTH tasks, one near the end (so that the
 * last tasks are spread instead of queued behind each other); NO_MORE when
 * there is nothing left for it. */
static int supply(master_state *m, int w)
{
    for (;;) {
        size_t left = m->n_tasks - m->next;
        int depth = left > (size_t)m->size * DEPTH ? DEPTH : 1;
        if (m->inflight[w] >= depth || !more_tasks(m))
            break;
        if (send_task(m->next++, w))
            return SIM_EIO;
        if (m->inflight[w]++ == 0)
            m->last[w] = now_s();
    }
    if (m->inflight[w] == 0 && !m->told[w]) {
        m->told[w] = 1;
        if (send_task(NO_MORE, w))
            return SIM_EIO;
    }
    if (m->inflight[w] > 0 && m->recv[w] == MPI_REQUEST_NULL
        && MPI_Irecv(m->bufs + (size_t)w * m->msg_size, (int)m->msg_size, MPI_BYTE, w, TAG_RESULT,
                     MPI_COMM_WORLD, &m->recv[w]) != MPI_SUCCESS)
        return SIM_EIO;
    return SIM_OK;
}

/* Take in every result that has arrived: all of them, not one a worker (a
 * worker can finish two tasks while rank 0 runs one of its own and
 * finishes points; taking one a visit would starve it).  Returns how
 * many, or -1. */
static int collect(master_state *m)
{
    int got = 0;
    for (int w = 1; w < m->size; w++)
        while (m->recv[w] != MPI_REQUEST_NULL) {
            int flag = 0;
            if (MPI_Test(&m->recv[w], &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
                return -1;
            if (!flag)
                break;
            got++;
            m->inflight[w]--;
            m->last[w] = now_s();
            const unsigned char *msg = m->bufs + (size_t)w * m->msg_size;
            header h;
            memcpy(&h, msg, sizeof h);
            if (m->done)
                m->done(m->user, (size_t)h.task, (int)h.status, msg + sizeof h);
            if (h.status != SIM_OK && m->rc == SIM_OK)
                m->rc = (int)h.status;
            if (supply(m, w))             /* the next task, and the receive again */
                return -1;
        }
    return got;
}

/* Rank 0 hands out tasks, runs some itself between collecting results, and
 * passes every result, in completion order, to `done`. */
static int master(size_t n_tasks, size_t out_size, const unsigned char *skip, sim_task_fn fn,
                  sim_task_done_fn done, void *user, volatile sig_atomic_t *stop, int size)
{
    master_state m = {.n_tasks = n_tasks, .out_size = out_size,
                      .msg_size = sizeof(header) + out_size, .skip = skip, .fn = fn,
                      .done = done, .user = user, .stop = stop, .size = size, .rc = SIM_OK};
    m.inflight = calloc((size_t)size, sizeof *m.inflight);
    m.told = calloc((size_t)size, sizeof *m.told);
    m.recv = malloc((size_t)size * sizeof *m.recv);
    m.bufs = malloc((size_t)size * m.msg_size);
    m.last = calloc((size_t)size, sizeof *m.last);
    unsigned char *own = malloc(m.msg_size);
    int io = SIM_OK;
    if (!m.inflight || !m.told || !m.recv || !m.bufs || !m.last || !own) {
        free(m.inflight), free(m.told), free(m.recv), free(m.bufs), free(m.last), free(own);
        return SIM_ENOMEM;
    }
    for (int w = 0; w < size; w++)
        m.recv[w] = MPI_REQUEST_NULL;
    for (int w = 1; w < size && !io; w++)
        io = supply(&m, w);
    while (!io) {
        if (collect(&m) < 0) {
            io = SIM_EIO;
            break;
        }
        if (more_tasks(&m)) {
            /* rank 0 works too: one task, then back to the workers */
            size_t t = m.next++;
            header h = {t, fn(user, t, own + sizeof h)};
            if (done)
                done(user, t, (int)h.status, own + sizeof h);
            if (h.status != SIM_OK && m.rc == SIM_OK)
                m.rc = (int)h.status;
            continue;
        }
        int busy = 0;
        for (int w = 1; w < size; w++) {
            busy += m.inflight[w];
            if (!io && m.inflight[w] == 0 && !m.told[w])
                io = supply(&m, w);       /* NO_MORE */
            if (!io && m.inflight[w] > 0)
                io = overdue(m.last[w], w);   /* a stopped or lost worker */
        }
        if (!busy)
            break;
        nap();
    }
    if (m.rc == SIM_OK && !io && stop && *stop)
        for (; m.next < n_tasks; m.next++)
            if (!(skip && skip[m.next])) {
                m.rc = SIM_EINTR;
                break;
            }
    free(m.inflight), free(m.told), free(m.recv), free(m.bufs), free(m.last), free(own);
    return io ? io : m.rc;
}

/* A worker runs the tasks rank 0 sends, holding up to DEPTH at a time, and
 * sends each result back without waiting for it to be taken (a result
 * buffer per task it may hold). */
static int worker(size_t out_size, sim_task_fn fn, void *user)
{
    size_t msg_size = sizeof(header) + out_size;
    unsigned char *bufs = malloc((DEPTH + 1) * msg_size);
    MPI_Request req[DEPTH + 1];
    uint64_t queue[DEPTH + 1];
    int nq = 0, no_more = 0, rc = SIM_OK;
    if (!bufs)
        return SIM_ENOMEM;
    for (int b = 0; b <= DEPTH; b++)
        req[b] = MPI_REQUEST_NULL;
    while (rc == SIM_OK) {
        /* take in what rank 0 has sent; wait (napping) only when idle.
         * Nothing after NO_MORE: what follows belongs to the next batch
         * (rank 0 may have gone on to it already). */
        double idle = now_s();
        while (!no_more) {
            int flag = 0;
            if (MPI_Iprobe(0, TAG_TASK, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
                rc = SIM_EIO;
                break;
            }
            if (flag) {
                uint64_t task;
                if (MPI_Recv(&task, 1, MPI_UINT64_T, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
                    != MPI_SUCCESS) {
                    rc = SIM_EIO;
                    break;
                }
                if (task == NO_MORE)
                    no_more = 1;
                else if (nq <= DEPTH)
                    queue[nq++] = task;
                continue;
            }
            if (nq > 0)
                break;
            if ((rc = overdue(idle, 0)) != SIM_OK)
                break;                   /* rank 0 stopped or lost */
            nap();
        }
        if (rc != SIM_OK || nq == 0)
            break;
        uint64_t task = queue[0];
        memmove(queue, queue + 1, (size_t)--nq * sizeof *queue);
        int b = 0;                       /* a free result buffer */
        for (int i = 0; i <= DEPTH; i++) {
            int flag = 1;
            if (req[i] != MPI_REQUEST_NULL)
                MPI_Test(&req[i], &flag, MPI_STATUS_IGNORE);
            if (flag) {
                b = i;
                break;
            }
            if (i == DEPTH && (rc = wait_request(&req[0], 0)) == SIM_OK)
                b = 0;
        }
        if (rc != SIM_OK)
            break;
        unsigned char *msg = bufs + (size_t)b * msg_size;
        header h = {task, fn(user, (size_t)task, msg + sizeof h)};
        memcpy(msg, &h, sizeof h);
        if (MPI_Isend(msg, (int)msg_size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD, &req[b])
            != MPI_SUCCESS)
            rc = SIM_EIO;
    }
    for (int b = 0; b <= DEPTH; b++)
        if (req[b] != MPI_REQUEST_NULL && (rc == SIM_OK || rc == SIM_EIO)) {
            int w = wait_request(&req[b], 0);
            if (w != SIM_OK)
                rc = w;
        }
    free(bufs);
    return rc;
}

int sim_farm_run(size_t n_tasks, size_t out_size, const unsigned char *skip, sim_task_fn fn,
                 sim_task_done_fn done, void *user, volatile sig_atomic_t *stop)
{
    int size = sim_farm_size();
    if (size == 1)
        return serial_run(n_tasks, out_size, skip, fn, done, user, stop);
    if (sizeof(header) + out_size > (size_t)INT32_MAX)
        return SIM_ERANGE;
    return sim_farm_rank() == 0 ? master(n_tasks, out_size, skip, fn, done, user, stop, size)
                                : worker(out_size, fn, user);
}

#endif
