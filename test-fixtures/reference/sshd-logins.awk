# Independent reference count of sshd logins (used by the parser tests): one line per event,
# "result<TAB>user<TAB>source<TAB>attempts"; "message repeated N times" counts N attempts.
BEGIN { OFS = "\t" }
{
  sub(/\r$/, "")
  n = 1
  if (match($0, /message repeated [0-9]+ times/)) { split(substr($0, RSTART, RLENGTH), a, " "); n = a[3] }
  if (match($0, /sshd\[[0-9]+\]: (message repeated [0-9]+ times: \[ )?Failed [^ ]+ for /)) {
    rest = substr($0, RSTART + RLENGTH)
    sub(/^invalid user /, "", rest)
    if (match(rest, / from [^ ]+ port [0-9]+/)) {
      user = substr(rest, 1, RSTART - 1); m = substr(rest, RSTART + 6); split(m, q, " "); ip = q[1]
      print "failed", user, ip, n
    }
  }
  if (match($0, /sshd\[[0-9]+\]: Accepted [^ ]+ for /)) {
    rest = substr($0, RSTART + RLENGTH)
    if (match(rest, / from [^ ]+ port [0-9]+/)) { user = substr(rest, 1, RSTART - 1); m = substr(rest, RSTART + 6); split(m, q, " "); print "accepted", user, q[1], 1 }
  }
}
# Old Red Hat logs have PAM lines only: "sshd(pam_unix)[pid]: authentication failure; ... rhost=X  user=Y"
/ sshd\(pam_unix\)\[[0-9]+\]: authentication failure;/ {
  ip = ""; user = ""
  if (match($0, /rhost=[^ ]*/)) ip = substr($0, RSTART + 6, RLENGTH - 6)
  if (match($0, /user=[^ ]*$/)) user = substr($0, RSTART + 5, RLENGTH - 5)
  print "failed", user, ip, n
}
/ sshd\(pam_unix\)\[[0-9]+\]: session opened for user / {
  split($0, w, "session opened for user "); split(w[2], u, " "); print "accepted", u[1], "", 1
}
