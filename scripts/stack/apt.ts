import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { commandExists, runOrFail, StackError } from './process';

/**
 * Installs Debian packages the stack needs, as root or through passwordless sudo. Debian's
 * server packages would otherwise create and start their own instances (PostgreSQL's
 * "main" cluster on 5432, a prometheus daemon); the stack runs private ones instead.
 */
export function aptInstall(packages: string[], component: string): void {
  const sudo = userInfo().uid === 0 ? [] : ['sudo', '-n'];
  if (sudo.length > 0 && !commandExists('sudo')) {
    throw new StackError(`${component}: missing Debian package(s) ${packages.join(', ')}; install them as root (apt-get install ${packages.join(' ')}) and start the stack again`);
  }
  if (!commandExists('apt-get')) {
    throw new StackError(`${component}: ${packages.join(', ')} missing and this machine has no apt-get; install them with your package manager`);
  }
  if (!existsSync('/etc/postgresql-common/createcluster.conf')) {
    const script = "mkdir -p /etc/postgresql-common && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf";
    const [command, args] = sudo.length > 0 ? ['sudo', ['-n', 'sh', '-c', script]] : ['sh', ['-c', script]];
    spawnSync(command, args, { stdio: 'ignore' });
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [command = 'apt-get', ...prefix] = [...sudo, 'apt-get'];
  const confOptions = ['-o', 'Dpkg::Options::=--force-confold', '-o', 'Dpkg::Options::=--force-confdef'];
  runOrFail(command, [...prefix, 'update', '-q'], `${component}: apt-get update`, { env });
  runOrFail(command, [...prefix, '-y', '-q', '--no-install-recommends', ...confOptions, 'install', ...packages], `${component}: apt-get install ${packages.join(' ')}`, { env });
}
