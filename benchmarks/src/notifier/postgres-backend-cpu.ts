import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: the unit of the CPU times in `/proc/<pid>/stat` on every architecture it runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of Postgres backend processes by pid, ms, from `/proc/<pid>/stat`: a
 * pid that is gone, unreadable, or not a `postgres` process on this machine (a server elsewhere, or
 * in a container of its own, numbers its processes apart) is left out.
 */
export async function postgresBackendCpuMs(pids: readonly number[]): Promise<Map<number, number>> {
  const readings = await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        // "pid (comm) state ppid …": comm may hold spaces, so the fields are counted after its ')'.
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm !== 'postgres') return null;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // Fields 14 and 15 of proc(5), utime and stime, are the 12th and 13th after comm.
        const ticks = Number(fields[11]) + Number(fields[12]);
        return [pid, (ticks * 1_000) / TICKS_PER_SECOND] as const;
      } catch {
        return null;
      }
    }),
  );
  return new Map(readings.filter((r) => r !== null));
}
