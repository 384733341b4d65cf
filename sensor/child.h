/*
 * child.h - entry of a child process (argv[1] is --role=capture|offline|detect).
 */
#ifndef WS_CHILD_H
#define WS_CHILD_H

int ws_child_main(int argc, char **argv);

#endif
