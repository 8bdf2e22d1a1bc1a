/* alexnet.c: the `alexnet` command: picks the command (train when none is given) and runs it
 * (an-cli.h); `alexnet help` prints every command's options, generated from the same tables.
 * Usage errors print one line and exit 2; failures exit 1.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <stdio.h>

#include "an-blas.h"
#include "an-cli-commands.h"

static const AnCliCommand *const commands[] = {
  &an_cli_train, &an_cli_eval, &an_cli_classify, &an_cli_filters, &an_cli_bench, &an_cli_info,
  &an_cli_pack,
};

static const AnCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i]->name, name))
      return commands[i];
  return NULL;
}

static void
print_help (FILE *f)
{
  fprintf (f, "Usage: alexnet COMMAND [OPTIONS]   (no command: train)\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (f, "  %-10s%s\n", commands[i]->name, commands[i]->summary);
  fprintf (f, "\nNumbers are written as in C (0.001, 1e-3); true|false also take yes|no|1|0; "
              "--name=VALUE works too.\n'alexnet help COMMAND' or 'alexnet COMMAND --help' "
              "shows one command.\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      fputc ('\n', f);
      an_cli_print_help (f, commands[i]);
    }
}

int
main (int argc, char **argv)
{
  const AnCliCommand *cmd;

  an_blas_select_kernel (argv);
  if (argc < 2 || argv[1][0] == '-')
    {
      if (argc >= 2 && g_str_equal (argv[1], "--version"))
        {
          printf ("alexnet %s\n", PACKAGE_VERSION);
          return 0;
        }
      if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
        {
          print_help (stdout);
          return 0;
        }
      /* options alone train, as `alexnet train` with them */
      return an_cli_run (&an_cli_train, argc, argv);
    }
  if (g_str_equal (argv[1], "help"))
    {
      if (argc < 3)
        print_help (stdout);
      else if ((cmd = find_command (argv[2])))
        an_cli_print_help (stdout, cmd);
      else
        return an_cli_usage ("help: unknown command '%s'", argv[2]);
      return 0;
    }
  if (!(cmd = find_command (argv[1])))
    return an_cli_usage ("unknown command '%s'", argv[1]);
  return an_cli_run (cmd, argc - 1, argv + 1);
}
