// The SSRF rule of outgoing hooks lives in the runtime lib, shared with the providers (the custom provider's URL).
export { RefusedAddressError, checkHookUrl, checkLiteralHost, guardedLookup, isPublicAddress } from '@flightdeck/runtime';
