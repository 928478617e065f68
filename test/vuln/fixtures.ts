import type { Finding } from '../../src/vuln/index.ts';

/** A finding as the matcher would produce it, with overridable fields. */
export function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'CVE-2023-45853',
    aliases: ['DLA-3670-1'],
    sourceName: 'zlib',
    packages: ['zlib1g'],
    purls: ['pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12'],
    installedVersion: '1:1.2.13.dfsg-1',
    fixedVersion: null,
    severity: 'critical',
    severitySource: 'cvss',
    urgency: 'not yet assigned',
    cvssScore: 9.8,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    dataSources: ['CVE-2023-45853'],
    summary: 'MiniZip integer overflow',
    ecosystem: 'Debian:12',
    ...over,
  };
}
