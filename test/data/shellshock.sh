#!/bin/sh
# shellshock_detect's capture: a bash and an sh started with a function definition in their environment, as
# the shellshock exploit (CVE-2014-6271) sends one, and a bash without. Recorded with
#   tdig-capture -w shellshock.scap -- sh shellshock.sh
env 'x=() { :;}; echo vulnerable' bash -c 'echo test' >/dev/null
env 'y=() { :;}; echo v2' sh -c 'true'
bash -c true
