#include "sim_status.h"

const char *sim_strerror(int status)
{
    switch (status) {
#define SIM_STATUS_CASE(name, value, text) case name: return text;
    SIM_STATUS_LIST(SIM_STATUS_CASE)
#undef SIM_STATUS_CASE
    }
    return "unknown status";
}
