#!/bin/sh
# Apache with PHP (prefork, 4 workers) on 127.0.0.1:18080 answering 50 login posts from ab, 2 at a time:
# accept, fcntl, failed .htaccess opens, chdir, shutdown, writev, epoll. Recorded with
#   tdig-capture -w apache_ab.scap 'proc.name=apache2 or proc.name=ab'
# while this script runs (the server set up as in bench/webserver.sh, here under /tmp/web).
printf 'login=alice&pass=s3cret' > /tmp/web/body
ab -q -n 50 -c 2 -p /tmp/web/body -T application/x-www-form-urlencoded http://127.0.0.1:18080/login.php > /dev/null
