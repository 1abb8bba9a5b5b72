/** A host on this machine (the local Batch service, Azurite): what loopback means wherever a URL is judged. */
export const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;
