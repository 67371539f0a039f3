# The first program: adds up the bytes of its memory (r1 = address, r2 = length) and adds 42.
#   ./bpfsdt run examples/hello.asm --mem '01 02 03'    -> r0 = 0x30 (48)
    mov %r0, 42
    jeq %r2, 0, exit        # no memory: just 42
loop:
    ldxb %r3, [%r1]
    add %r0, %r3
    add %r1, 1
    sub %r2, 1
    jne %r2, 0, loop
exit:
    exit
