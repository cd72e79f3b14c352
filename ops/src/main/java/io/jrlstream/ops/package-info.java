/** The jrl command line: subcommands, option parsing, output formats. */
package io.jrlstream.ops;
