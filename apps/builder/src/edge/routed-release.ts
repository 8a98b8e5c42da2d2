import { join } from 'node:path';
import type { AppKind } from '../build/app-kind';

// A release as the edge sees it: a directory on disk, served as files (static) or by the Node
// process started from it (node), or an address another provider's release answers on (upstream).
export interface RoutedRelease {
  /** the deployment whose artifact was unpacked into `dir` */
  id: string;
  /** the project's name: its process runs as the project's sandbox user */
  project: string;
  kind: AppKind;
  /** FLIGHTDECK_DATA_DIR/releases/<project>/<environment>/<id> */
  dir: string;
  /** node: argv run in appDir(release) */
  startCommand?: string[];
  /**
   * a release another provider runs (the Docker provider's container): the edge proxies to this
   * URL (http://host:port) and starts nothing; it has no dir on this host
   */
  upstream?: string;
}

/** the unpacked artifact; the release dir also holds the release's env file and home */
export const appDir = (release: Pick<RoutedRelease, 'dir'>): string => join(release.dir, 'app');
