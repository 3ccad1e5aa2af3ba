// html: the one way this app builds markup. htm turns tagged templates into
// Preact vnodes, so every interpolated value is a text node or a property,
// never parsed as HTML. Do not use innerHTML / dangerouslySetInnerHTML.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
