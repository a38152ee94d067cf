/* docs_config.h - `connectd docs configuration` (docs_config.c). */
#ifndef CONNECTD_DOCS_CONFIG_H
#define CONNECTD_DOCS_CONFIG_H

/* Prints docs/configuration.md on stdout; returns the exit code. */
int docs_config_print(void);

#endif
