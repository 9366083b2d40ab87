#!/bin/sh
# Prints the tool versions the project expects.
node --version
go version
