/* sim_status: the one status code type shared by every refugesim module.
 *
 * One X-macro lists every code with its message, so the enum and the text
 * cannot drift apart.  Library functions return a sim_status; only the CLI
 * turns it into words and an exit status. */
#ifndef SIM_STATUS_H
#define SIM_STATUS_H

#define SIM_STATUS_LIST(X)                                              \
    X(SIM_OK,          0, "success")                                    \
    X(SIM_ENOMEM,      1, "out of memory")                              \
    X(SIM_EINVAL,      2, "invalid argument")                           \
    X(SIM_ERANGE,      3, "value out of range")                         \
    X(SIM_EIO,         4, "input/output error")                         \
    X(SIM_EPARSE,      5, "malformed input")                            \
    X(SIM_ENOTFOUND,   6, "not found")                                  \
    X(SIM_EEXIST,      7, "already exists")                             \
    X(SIM_EINTR,       8, "interrupted")                                \
    X(SIM_EHDF5,       9, "HDF5 library error")                         \
    X(SIM_EMODEL,     10, "model error")                                \
    X(SIM_EINTERNAL,  11, "internal error")                             \
    X(SIM_ETIMEDOUT,  12, "no word from another MPI rank within the time limit")

typedef enum {
#define SIM_STATUS_ENUM(name, value, text) name = value,
    SIM_STATUS_LIST(SIM_STATUS_ENUM)
#undef SIM_STATUS_ENUM
} sim_status;

/* Static text for a status; never NULL. */
const char *sim_strerror(int status);

#endif
