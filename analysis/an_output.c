#include "an_output.h"
#include "an_h5.h"
#include "ex_ckpt.h"
#include "sim_status.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int an_output_check(const char *path, int force)
{
    struct stat st;
    if (!force && stat(path, &st) == 0)
        return SIM_EEXIST;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        if (stat(dir[0] ? dir : "/", &st) != 0 || !S_ISDIR(st.st_mode))
            return SIM_ENOTFOUND;
    }
    return SIM_OK;
}

int an_output_resumable(const char *path, const char *ckpt_dir)
{
    struct stat st;
    if (stat(path, &st) != 0 || ex_ckpt_dir_state(ckpt_dir) == 1)
        return 1;
    an_h5_file *f = NULL;
    int ok = an_h5_open(path, &f) == SIM_OK && !an_h5_get_info(f)->complete;
    an_h5_close(f);
    return ok;
}

void an_output_remove_stale(const char *path)
{
    ex_remove_stale_siblings(path);
}
