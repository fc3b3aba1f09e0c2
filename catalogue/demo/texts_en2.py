"""English topic bank, second half (same format as `texts_en.TOPICS`)."""

from __future__ import annotations

TOPICS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "emc": {
        "head": "EMC | EMC | EMC testing and electrical safety for electronic products before CE marking",
        "codes": "micro-and-nanoelectronics security-connectivity / testbed research-lab mobile-platform technology-centre / engineering-technology / c j h",
        "kw": "EMC testing; electromagnetic compatibility; CE marking; radiated emissions; immunity testing; radio equipment",
        "eq": (
            "Semi-anechoic EMC chamber (3 m) | emc-testing | EMC testing, radiated emissions and radiated immunity | 3 m semi-anechoic chamber for EMC testing of products up to 2 t.",
            "Conducted immunity and emissions bench | emc-testing | ESD, burst, surge and conducted emissions testing | Covers the IEC 61000-4 series of EMC tests.",
            "EMI test receiver | emc-testing | EMI pre-compliance scans | Measures emissions from 9 kHz to 18 GHz.",
            "Reverberation chamber | emc-testing | high-field immunity, shielding effectiveness | Tests the shielding of enclosures and cables.",
            "Electrical safety test bench | other | electrical safety, hipot testing | Safety tests under the Low Voltage Directive.",
        ),
        "srv": (
            "EMC pre-compliance testing | testing-validation | EMC testing of prototypes against CE marking standards before the formal test. | EMC test report; improvement advice",
            "CE marking support | certification-support | Guidance on the EMC, radio and low-voltage directives and review of the technical file. | compliance checklist; technical file review",
        ),
    },
    "battery": {
        "head": "Battery | battery | battery testing and cell prototyping for e-mobility and stationary storage",
        "codes": "advanced-materials advanced-manufacturing / testbed pilot-line research-lab / engineering-technology natural-sciences / c d h",
        "kw": "battery testing; lithium-ion cells; battery cycler; battery safety; energy storage; battery management systems",
        "eq": (
            "Multi-channel battery cycler | metrology | battery testing, cell cycling, capacity and impedance | 256-channel battery cycler for cells and modules.",
            "Battery abuse test bunker | environmental-testing | nail penetration, overcharge and thermal runaway testing | Safety testing of cells and packs up to 60 kWh.",
            "Dry room pouch cell line | cleanroom-processing | electrode coating, cell assembly in a dry room | Builds pouch cell prototypes with new electrode materials.",
            "Climatic chamber for batteries | environmental-testing | temperature cycling, battery testing from −40 °C to 85 °C | Thermal testing of modules and packs.",
            "Electrochemical impedance workstation | spectroscopy | electrochemical impedance spectroscopy | Diagnoses cell ageing.",
        ),
        "srv": (
            "Battery testing and ageing | testing-validation | Battery testing of cells, modules and packs: cycling, ageing, abuse and thermal tests. | test report; cycling data",
            "Pouch cell prototyping | prototyping | Prototype pouch cells made with your electrode or electrolyte material. | prototype cells; cell data",
        ),
    },
    "edge-ai": {
        "head": "Edge AI | edge AI | AI edge computing and embedded machine learning for industrial products",
        "codes": "artificial-intelligence security-connectivity / computing-data testbed living-lab technology-centre / engineering-technology generic / j c",
        "kw": "AI; edge computing; embedded machine learning; computer vision; GPU; federated learning",
        "eq": (
            "AI edge computing testbed | computing-hpc | AI edge computing, model compression, inference benchmarking | Racks of edge devices and accelerators for AI at the edge.",
            "GPU cluster | computing-hpc | deep learning training, GPU computing | 64 GPUs for training AI models on industrial data.",
            "Embedded AI development kits | other | microcontrollers, FPGA, NPU | Boards to benchmark embedded machine learning.",
            "Machine vision test cell | robotics | computer vision, quality inspection | Conveyor and cameras to test AI-based inspection.",
            "Private 5G campus network | other | 5G, TSN, industrial connectivity | Connects edge devices on the shop floor.",
        ),
        "srv": (
            "AI edge computing benchmarking | testing-validation | Benchmarking of AI models on edge computing hardware, from microcontroller to edge server. | benchmark report",
            "AI proof of concept | proof-of-concept | From data to a working AI prototype on the company's own data in eight weeks. | AI prototype; data report",
        ),
    },
    "environmental": {
        "head": "Vibration and Climate | environmental testing | vibration, shock and climatic testing of components and systems",
        "codes": "advanced-manufacturing / testbed research-lab mobile-platform technology-centre / engineering-technology / c h",
        "kw": "vibration testing; shock testing; climatic testing; thermal cycling; salt spray; reliability",
        "eq": (
            "Electrodynamic vibration shaker 60 kN | environmental-testing | vibration testing, sine and random vibration, shock | Shaker with slip table for vibration testing of automotive and aerospace parts.",
            "Combined climatic and vibration chamber | environmental-testing | vibration testing under temperature and humidity | Tests components from −70 °C to 180 °C while they vibrate.",
            "Thermal shock chamber | environmental-testing | thermal shock, thermal cycling | Two-zone chamber for solder joint reliability.",
            "Salt spray chamber | environmental-testing | corrosion testing, salt spray | Corrosion resistance of coatings.",
            "Laser Doppler vibrometer | metrology | modal analysis, vibration measurement | Non-contact vibration measurement.",
        ),
        "srv": (
            "Vibration testing | testing-validation | Vibration testing and shock testing to IEC 60068, ISO 16750 and MIL-STD-810. | test report; vibration data",
            "Reliability test programmes | consultancy | Design of accelerated life and environmental test programmes. | test plan",
        ),
    },
    "connected": {
        "head": "Connected Systems | connected systems | secure connectivity, 5G and cybersecurity testing for IoT products",
        "codes": "security-connectivity artificial-intelligence / testbed living-lab computing-data / engineering-technology social-sciences / j h o",
        "kw": "cybersecurity; 5G; IoT; penetration testing; LoRaWAN; digital twin",
        "eq": (
            "5G standalone test network | other | 5G, network slicing, latency measurement | Private 5G network for IoT and vehicle trials.",
            "IoT security lab | computing-hpc | penetration testing, firmware analysis | Isolated lab for cybersecurity testing of connected devices.",
            "LoRaWAN and NB-IoT gateways | other | low-power wide-area networks | City-wide IoT network for pilots.",
            "RF shielded enclosure | emc-testing | radio testing, interference | Shielded box for radio measurements.",
            "Digital twin server | computing-hpc | digital twin, simulation | Hosts digital twins of city and factory systems.",
        ),
        "srv": (
            "IoT cybersecurity assessment | testing-validation | Penetration testing and firmware analysis of connected products before market launch. | security report",
            "5G trial access | equipment-access | Test your product on a private 5G network with engineers on hand. | trial report",
        ),
    },
    "robotics": {
        "head": "Robotics | robotics | collaborative robots and flexible automation for small-batch production",
        "codes": "advanced-manufacturing artificial-intelligence / demonstrator living-lab testbed technology-centre / engineering-technology / c h",
        "kw": "collaborative robots; cobots; automation; AGV; human-robot collaboration; Industry 4.0",
        "eq": (
            "Collaborative robot cell | robotics | cobot programming, human-robot collaboration | Several cobots with grippers and safety scanners.",
            "Autonomous mobile robot fleet | robotics | AGV and AMR logistics, navigation | Intralogistics demonstrator.",
            "Industrial robot with force control | robotics | robotic assembly, grinding, polishing | Six-axis robot for contact-rich tasks.",
            "Motion capture system | metrology | motion capture, ergonomics | Tracks operators and robots.",
            "Digital factory demonstrator | other | MES, digital twin, Industry 4.0 | Small production line with full data integration.",
        ),
        "srv": (
            "Robot automation demonstration | demonstration | Live demonstration of cobot and AMR solutions on a small production line. | demo session; automation roadmap",
            "Automation feasibility study | proof-of-concept | Tests whether your task can be automated with a cobot, with a cost estimate. | feasibility report; video",
        ),
    },
    "agrifood": {
        "head": "Agri-Food | agri-food | field trials, food processing and sensing for the agri-food chain",
        "codes": "industrial-biotechnology life-science-technologies / field-station living-lab pilot-line other / agricultural-sciences natural-sciences / a c",
        "kw": "precision agriculture; food processing; field trials; plant phenotyping; drones; food safety",
        "eq": (
            "Field trial plots with weather station | other | field trials, crop monitoring | 40 ha of trial plots with sensors.",
            "Plant phenotyping greenhouse | spectroscopy | hyperspectral plant phenotyping | Automated imaging of plants.",
            "Food pilot processing hall | other | extrusion, pasteurisation, drying | Pilot food processing equipment.",
            "Agricultural drone fleet | robotics | multispectral drone imaging | Drones for crop mapping.",
            "Texture analyser | mechanical-testing | texture analysis of food | Measures hardness and crispness.",
        ),
        "srv": (
            "Field trials | testing-validation | Field trials of seeds, biostimulants and sensors under real farming conditions. | trial report; field data",
            "Food product pilot runs | pilot-production | Pilot-scale processing of new food products for tasting and shelf-life tests. | pilot batch; process sheet",
        ),
    },
    "energy": {
        "head": "Smart Energy | smart energy | integration of renewables, heat pumps and grid flexibility in real buildings",
        "codes": "security-connectivity advanced-materials / living-lab demonstrator field-station other / engineering-technology social-sciences / d f",
        "kw": "smart grid; heat pumps; photovoltaics; energy storage; hydrogen; energy management",
        "eq": (
            "Microgrid with PV and storage | other | smart grid, power hardware in the loop | Real microgrid with solar panels, batteries and controllable loads.",
            "Heat pump test rig | environmental-testing | heat pump performance testing | Climate rooms for heat pump testing.",
            "Electrolyser test bench | other | hydrogen production, electrolyser testing | Tests PEM electrolyser stacks up to 50 kW.",
            "Smart building living lab | other | energy monitoring, occupant studies | Occupied building with 2,000 sensors.",
            "Power analyser | metrology | power quality measurement | High-accuracy power measurements.",
        ),
        "srv": (
            "Energy system demonstration | demonstration | Demonstrate your energy product in a real microgrid and an occupied building. | demonstration report; monitoring data",
            "Energy system simulation | modelling-simulation | Simulation of buildings and grids to size storage, PV and heat pumps. | simulation report",
        ),
    },
    "health-data": {
        "head": "Health Data | health data | secure computing and AI on health and life-science data",
        "codes": "artificial-intelligence life-science-technologies / computing-data collection-biobank living-lab / medical-health-sciences generic / q j",
        "kw": "health data; secure data environment; federated learning; medical imaging; GDPR; synthetic data",
        "eq": (
            "Secure processing environment | computing-hpc | pseudonymised data processing, federated analysis | GDPR-compliant environment for health data.",
            "HPC partition for life sciences | computing-hpc | genomics pipelines, GPU computing | Compute for genomics and imaging.",
            "Medical imaging archive | computing-hpc | DICOM archive, image annotation | Annotated imaging data sets.",
            "Synthetic data generator | computing-hpc | synthetic data generation | Creates privacy-preserving synthetic data sets.",
        ),
        "srv": (
            "Health data analysis | data-computing | Analysis of health and life-science data in a secure processing environment. | analysis results; code",
            "Medical AI validation | testing-validation | Validation of medical AI software on curated imaging data sets. | validation report",
        ),
    },
}
