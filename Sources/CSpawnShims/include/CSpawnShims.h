#ifndef CSPAWN_SHIMS_H
#define CSPAWN_SHIMS_H
#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np is a GNU extension that Swift's Glibc module does not
/// show; returns ENOSYS where the C library lacks it, so the caller can fall back.
int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
