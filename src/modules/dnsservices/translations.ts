// DNSServices' words in Catalan and Spanish (its English is in manifest.ts), and the run-time ones in all three.
import { defineTranslations } from '../../kit/module-translations.ts';
import { dnsservicesManifest } from './manifest.ts';

export const dnsservicesTranslations = defineTranslations(dnsservicesManifest, {
  en: {
    'detail.zone': 'Community zone',
    'detail.services': 'Discovered services in the zone',
    'detail.forwarders': 'Forwarders',
    'check.network': '{cidr} is not an IPv4 network in CIDR form (for example 10.0.0.0/8, host bits zero).',
  },
  ca: {
    title: 'DNS comunitari',
    description: 'Un servidor DNS per a la comunitat amb bind9: resol noms per als membres i serveix una zona amb tots els nodes i els serveis que ha trobat el descobriment.',
    'setting.port.title': 'Port DNS',
    'setting.port.description': 'Port UDP i TCP on respon named; els dispositius esperen el 53.',
    'setting.clientSubnets.title': 'Qui hi pot resoldre noms',
    'setting.clientSubnets.description': 'Xarxes IPv4 dels membres, separades per comes; les altres només reben la zona comunitària.',
    'setting.forwarders.title': 'Reenviadors',
    'setting.forwarders.description': 'Adreces IPv4 de servidors DNS als quals preguntar primer, separades per comes; buit: preguntar als servidors arrel.',
    'setting.zone.title': 'Zona comunitària',
    'setting.zone.description': 'El domini que serveix aquest node; buit: <microcloud>.internal, o community.internal sense microcloud.',
    'check.dnsservices-config-valid': 'named-checkconf accepta la configuració en ús i les seves zones',
    'check.dnsservices-answers-soa': 'named respon el SOA de la zona comunitària a 127.0.0.1',
    'detail.zone': 'Zona comunitària',
    'detail.services': 'Serveis descoberts a la zona',
    'detail.forwarders': 'Reenviadors',
    'check.network': '{cidr} no és una xarxa IPv4 en forma CIDR (per exemple 10.0.0.0/8, amb els bits de màquina a zero).',
  },
  es: {
    title: 'DNS comunitario',
    description: 'Un servidor DNS para la comunidad con bind9: resuelve nombres para los miembros y sirve una zona con todos los nodos y los servicios que ha encontrado el descubrimiento.',
    'setting.port.title': 'Puerto DNS',
    'setting.port.description': 'Puerto UDP y TCP en el que responde named; los dispositivos esperan el 53.',
    'setting.clientSubnets.title': 'Quién puede resolver nombres con él',
    'setting.clientSubnets.description': 'Redes IPv4 de los miembros, separadas por comas; las demás solo reciben la zona comunitaria.',
    'setting.forwarders.title': 'Reenviadores',
    'setting.forwarders.description': 'Direcciones IPv4 de servidores DNS a los que preguntar primero, separadas por comas; vacío: preguntar a los servidores raíz.',
    'setting.zone.title': 'Zona comunitaria',
    'setting.zone.description': 'El dominio que sirve este nodo; vacío: <microcloud>.internal, o community.internal sin microcloud.',
    'check.dnsservices-config-valid': 'named-checkconf acepta la configuración en uso y sus zonas',
    'check.dnsservices-answers-soa': 'named responde el SOA de la zona comunitaria en 127.0.0.1',
    'detail.zone': 'Zona comunitaria',
    'detail.services': 'Servicios descubiertos en la zona',
    'detail.forwarders': 'Reenviadores',
    'check.network': '{cidr} no es una red IPv4 en forma CIDR (por ejemplo 10.0.0.0/8, con los bits de máquina a cero).',
  },
});
